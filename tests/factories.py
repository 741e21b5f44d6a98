"""Rows made directly in the real database, for tests that need exact scores."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import update

from assessment.core.uscc import make_uscc
from assessment.services import derived
from assessment.services.cache import bump_generation
from assessment.services.models import Assessment, DimensionScore, Enterprise, QuestionScore, utcnow

_counter = itertools.count(1)


def enterprise(
    session, industry="appliances", town="zhouxiang", size_class="small", is_demo=False, name=None
) -> Enterprise:
    n = next(_counter)
    ent = Enterprise(
        uscc=make_uscc("330282", f"T{n:07d}"),
        name=name or f"测试企业{n}",
        town=town,
        industry=industry,
        employees=50,
        revenue_wan=800,
        size_class=size_class,
        is_demo=is_demo,
    )
    session.add(ent)
    session.flush()
    return ent


def submitted(
    session,
    ent: Enterprise,
    total: float,
    dims: dict[str, float] | None = None,
    days_ago: float = 10,
    questionnaire="lianghua",
    version="2025.1",
    stage="starting",
    questions: dict[str, tuple[float, float]] | None = None,
) -> Assessment:
    """A submitted assessment with exactly these scores; it becomes the enterprise's latest."""
    when = utcnow() - timedelta(days=days_ago)
    session.execute(
        update(Assessment)
        .where(
            Assessment.enterprise_id == ent.id,
            Assessment.questionnaire_id == questionnaire,
            Assessment.is_latest.is_(True),
            Assessment.submitted_at < when,
        )
        .values(is_latest=False)
    )
    newer_exists = any(
        a.submitted_at and a.submitted_at > when and a.questionnaire_id == questionnaire
        for a in ent.assessments
    )
    dims = dims if dims is not None else {"foundation": total}
    a = Assessment(
        enterprise=ent,
        questionnaire_id=questionnaire,
        questionnaire_version=version,
        status="submitted",
        answers={},
        total=total,
        stage=stage,
        industry=ent.industry,
        town=ent.town,
        size_class=ent.size_class,
        is_demo=ent.is_demo,
        is_latest=not newer_exists,
        submitted_at=when,
        created_at=when,
        updated_at=when,
    )
    session.add(a)
    session.flush()
    session.add_all(
        DimensionScore(assessment_id=a.id, dimension_id=d, score=s) for d, s in dims.items()
    )
    session.add_all(
        QuestionScore(assessment_id=a.id, question_id=q, points=p, max_points=m)
        for q, (p, m) in (questions or {}).items()
    )
    session.flush()
    derived.rebuild(session)  # rows made here bypass submit, which keeps the derived tables
    bump_generation(session, history=True)  # and they may lie in periods that have ended
    return a


def at(days_ago: float) -> datetime:
    return utcnow() - timedelta(days=days_ago)
