"""The scale tier's COPY seed (bench/copy_seed.py, bench/scale_db.py) writes a database the
product's invariants hold in: one latest submission per enterprise and questionnaire, scores equal
to the scoring code's, derived tables equal to a rebuild, every index and key back. PostgreSQL only
(the seed uses COPY); skipped otherwise."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from assessment.core.questionnaire.registry import Registry
from assessment.core.scoring import SCORED, UNANSWERED, score
from assessment.services import indicator_totals
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    IndicatorTotal,
    QuestionScore,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
ASSESSMENTS = 200
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"


@pytest.fixture
def seeded(database_url):
    """(engine, seed report) of a database seeded by COPY with ~200 assessments."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the COPY seed needs PostgreSQL (TEST_DATABASE_URL)")
    from bench import scale_db

    engine = create_engine(database_url)
    with engine.connect() as connection:
        indexes = connection.execute(text(INDEXES)).all()
    report = scale_db.seed(database_url, ASSESSMENTS, log=lambda _message: None)
    yield engine, report, indexes
    engine.dispose()


def _latest_rows(connection):
    return connection.execute(
        select(Assessment.enterprise_id, Assessment.questionnaire_id, Assessment.is_latest,
               Assessment.submitted_at).where(Assessment.status == "submitted")
    ).all()  # fmt: skip


def _one_latest_per_enterprise_and_questionnaire_the_newest(engine, report):
    with engine.connect() as connection:
        rows = _latest_rows(connection)
    # The demo campaign adds a few (a returned submission corrected and submitted again).
    assert len(rows) >= report.assessments > ASSESSMENTS * 0.7
    by_pair = defaultdict(list)
    for enterprise_id, qid, latest, when in rows:
        by_pair[(enterprise_id, qid)].append((when, latest))
    for submissions in by_pair.values():
        assert sum(latest for _, latest in submissions) == 1
        assert max(submissions)[1], "the latest is the newest submission"
    assert any(len(s) > 1 for s in by_pair.values()), "some enterprises were re-assessed"


def _rows_spread_like_the_demo(engine):
    with engine.connect() as connection:
        spread = connection.execute(
            select(func.count(func.distinct(Assessment.town)),
                   func.count(func.distinct(Assessment.size_class)),
                   func.count(func.distinct(Assessment.questionnaire_id + Assessment.questionnaire_version)),
                   func.max(Assessment.submitted_at) - func.min(Assessment.submitted_at))
        ).one()  # fmt: skip
        mismatched = connection.scalar(
            select(func.count())
            .select_from(Assessment)
            .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
            .where((Assessment.town != Enterprise.town) | (Assessment.industry != Enterprise.industry))
        )  # fmt: skip
    towns, sizes, versions, span = spread
    assert towns >= 10 and sizes >= 3 and versions >= 4
    assert span.days > 600, "about 24 months of submissions"
    assert mismatched == 0, "the cohort snapshot is the enterprise's"


def _scores_equal_the_scoring_code(engine):
    registry = Registry.from_directory(PROJECT_DIR / "questionnaires")
    with engine.connect() as connection:
        rows = connection.execute(select(Assessment).where(Assessment.status == "submitted")).all()
        for row in random.Random(3).sample(rows, 25):
            result = score(registry.get(row.questionnaire_id, row.questionnaire_version),
                           row.answers)  # fmt: skip
            assert (row.total, row.stage) == (pytest.approx(float(result.total)), result.stage)
            dimensions = dict(connection.execute(
                select(DimensionScore.dimension_id, DimensionScore.score)
                .where(DimensionScore.assessment_id == row.id)).all())  # fmt: skip
            assert dimensions == {d: pytest.approx(float(r.score))
                                  for d, r in result.dimensions.items() if r.score is not None}  # fmt: skip
            questions = {q: (p, m) for q, p, m in connection.execute(
                select(QuestionScore.question_id, QuestionScore.points, QuestionScore.max_points)
                .where(QuestionScore.assessment_id == row.id)).all()}  # fmt: skip
            assert questions == {q: (pytest.approx(float(r.points)), float(r.max_points))
                                 for q, r in result.questions.items()
                                 if r.status in (SCORED, UNANSWERED)}  # fmt: skip


def _derived_tables_equal_a_rebuild_and_indexes_are_back(engine, indexes):
    columns = [c for c in IndicatorTotal.__table__.columns]
    order = [c for c in columns if c.primary_key]
    with engine.connect() as connection:
        seeded_rows = connection.execute(select(*columns).order_by(*order)).all()
        indicator_totals.rebuild(connection)
        rebuilt = connection.execute(select(*columns).order_by(*order)).all()
        connection.rollback()
        assert connection.execute(text(INDEXES)).all() == indexes
    assert seeded_rows and seeded_rows == rebuilt


def test_copy_seeded_database_keeps_the_model_invariants(seeded):
    """One seed (it takes seconds), every invariant checked on it."""
    engine, report, indexes = seeded
    _one_latest_per_enterprise_and_questionnaire_the_newest(engine, report)
    _rows_spread_like_the_demo(engine)
    _scores_equal_the_scoring_code(engine)
    _derived_tables_equal_a_rebuild_and_indexes_are_back(engine, indexes)
