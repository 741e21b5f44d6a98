"""The bureau's fast paths give the same numbers as the plain aggregates: the per-question totals
kept by every submit, and medians found through whole-point buckets."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import select

from assessment.services import backup, indicator_totals, restore, surveys
from assessment.services.bureau_filters import Filters, latest_set
from assessment.services.bureau_stats import dashboard, weakest_from_scores
from assessment.services.demo import demo_answers, seed_demo
from assessment.services.migrate import alembic_config, upgrade
from assessment.services.models import Assessment, IndicatorTotal, utcnow
from assessment.services.score_distribution import ALL, distributions

from . import factories as f
from .conftest import app_session


def _table(session) -> dict[tuple, tuple]:
    keys = indicator_totals.KEY_COLUMNS
    return {
        tuple(getattr(row, k) for k in keys): (
            round(row.points, 6),
            round(row.max_points, 6),
            row.n,
        )
        for row in session.scalars(select(IndicatorTotal))
    }


def _submit(session, registry, enterprise, rng, maturity):
    questionnaire = registry.get("lianghua")
    draft = surveys.start(session, enterprise, questionnaire)
    draft.answers = demo_answers(questionnaire, maturity, rng)
    session.commit()
    surveys.submit(session, draft, questionnaire)


def _city_with_history(session, registry):
    """Seeded demo firms over two years, then real submits: re-assessments of seeded firms (one
    of which has since changed industry) and new non-demo firms."""
    rng = random.Random(7)
    seed_demo(session, registry, 80, seed=11)
    seeded = session.scalars(
        select(Assessment).where(Assessment.is_latest.is_(True), Assessment.is_demo.is_(True))
    ).all()
    movers = [a.enterprise for a in seeded if a.questionnaire_id == "lianghua"][:6]
    movers[0].industry = "textiles" if movers[0].industry != "textiles" else "bearings"
    session.commit()
    for ent in movers:
        _submit(session, registry, ent, rng, 0.8)
    for i in range(5):
        ent = f.enterprise(session, industry=("appliances", "bearings")[i % 2], town="kandun")
        session.commit()
        _submit(session, registry, ent, rng, 0.3 + 0.1 * i)
    _submit(session, registry, movers[1], rng, 0.2)  # a second re-assessment in the same month


def _filter_variants() -> list[Filters]:
    now = utcnow()
    year_ago = datetime(now.year - 1, now.month, 1)
    pool = {"versions": ("2025.1", "2025.2")}  # lianghua's comparable versions, counted together
    return [
        Filters("lianghua", "2025.2", include_demo=True, **pool),
        Filters("lianghua", "2025.2", **pool),
        Filters("lianghua", "2025.2", start=year_ago, include_demo=True, **pool),
        Filters("lianghua", "2025.2", industry="bearings", include_demo=True, **pool),
        Filters("lianghua", "2025.2", town="kandun", **pool),
        Filters(
            "lianghua", "2025.2", start=year_ago, size_class="small", include_demo=True, **pool
        ),  # fmt: skip
        Filters("lianghua", "2025.1", include_demo=True),  # one version alone (the seed's older)
        Filters("cloud", "2025.1", include_demo=True),
    ]


def test_totals_kept_by_submits_give_the_aggregate_over_question_scores(session, registry):
    s = session
    _city_with_history(s, registry)
    for filters in _filter_variants():
        assert indicator_totals.answers(filters)
        fast = indicator_totals.weakest(s, filters, 50)
        slow = weakest_from_scores(s, filters, 50)
        assert fast, filters
        # Every question with the same count and share; ties may order differently, as the
        # two sums add the same floats in a different order.
        assert {q: n for q, _share, n in fast} == {i.question_id: i.n for i in slow}
        slow_share = {i.question_id: i.share for i in slow}
        for q, share, _n in fast:
            assert share == pytest.approx(slow_share[q], abs=1e-9)
        shares = [share for _q, share, _n in fast]
        assert all(a <= b + 1e-9 for a, b in zip(shares, shares[1:], strict=False))
    kept = _table(s)
    indicator_totals.rebuild(s)
    s.commit()
    assert _table(s) == kept  # no drift, no leftover empty rows


def test_filters_the_totals_cannot_answer_fall_back_to_the_scores(session):
    now = utcnow()
    past_year = Filters(
        "lianghua", "2025.1", datetime(now.year - 1, 1, 1), datetime(now.year, 1, 1)
    )
    two_attributes = Filters("lianghua", "2025.1", industry="bearings", town="kandun")
    mid_month = Filters("lianghua", "2025.1", start=datetime(now.year, 1, 15))
    assert not any(indicator_totals.answers(x) for x in (past_year, two_attributes, mid_month))
    with pytest.raises(ValueError):
        indicator_totals.weakest(session, two_attributes, 10)


def test_migration_backfills_the_totals_from_existing_scores(session, registry):
    _city_with_history(session, registry)
    kept = _table(session)
    session.commit()
    session.close()
    engine = session.get_bind()
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    upgrade(engine)
    assert _table(session) == kept


def _crafted_city(session) -> list[tuple[str, str, str, float, str]]:
    """Latest totals that straddle bucket edges, repeat, and make odd and even groups."""
    rng = random.Random(5)
    rows = []
    edges = [10.0, 10.99, 11.0, 49.99, 50.0, 50.01, 99.99, 100.0, 0.0]
    for i in range(70):
        industry = ("appliances", "bearings", "textiles")[i % 3]
        town = ("kandun", "zhouxiang", "guanhaiwei", "hushan")[i % 4]
        size = ("small", "medium")[i % 2]
        total = edges[i] if i < len(edges) else round(rng.uniform(0, 100), 2)
        stage = "starting" if total < 40 else "integration"
        ent = f.enterprise(session, industry=industry, town=town, size_class=size)
        f.submitted(session, ent, total, stage=stage)
        rows.append((industry, town, size, total, stage))
    solo = f.enterprise(session, industry="textiles", town="longshan", size_class="large")
    f.submitted(session, solo, 33.33, stage="starting")
    rows.append(("textiles", "longshan", "large", 33.33, "starting"))
    session.commit()
    return rows


def test_bucketed_medians_equal_the_exact_medians(session):
    rows = _crafted_city(session)
    found = distributions(session, latest_set(Filters("lianghua", "2025.1")))
    columns = {"industry": 0, "town": 1, "size_class": 2}
    for column, index in columns.items():
        expected = defaultdict(list)
        for row in rows:
            expected[row[index]].append(row)
        assert set(found[column]) == set(expected)
        for value, members in expected.items():
            stats = found[column][value]
            totals = [m[3] for m in members]
            assert stats.n == len(totals)
            assert stats.median == pytest.approx(statistics.median(totals), abs=1e-9)
            assert stats.mean == pytest.approx(statistics.fmean(totals), abs=1e-9)
            assert stats.stages == Counter(m[4] for m in members)
    everyone = found[ALL][ALL]
    assert everyone.median == pytest.approx(statistics.median(r[3] for r in rows), abs=1e-9)
    assert everyone.n == len(rows)


def test_dashboard_histogram_and_median_on_bucket_edges(session):
    rows = _crafted_city(session)
    data = dashboard(session, Filters("lianghua", "2025.1"))
    totals = [r[3] for r in rows]
    assert data.median == pytest.approx(statistics.median(totals), abs=1e-9)
    expected = [0] * 10
    for total in totals:
        expected[min(int(total // 10), 9)] += 1
    assert data.histogram == expected
    towns = {g.key: g for g in data.by_town}
    assert towns["longshan"].n == 1 and towns["longshan"].median == 33.33


def test_empty_city_has_no_median(session):
    data = dashboard(session, Filters("lianghua", "2025.1"))
    assert data.participants == 0 and data.median is None and data.mean is None
    assert data.histogram == [0] * 10 and data.weakest_city == []


def test_restore_and_the_repair_command_rebuild_the_totals(
    app, runner, registry, make_app, tmp_path
):
    with app_session(app) as s:
        _city_with_history(s, registry)
        kept = _table(s)
        backup.dump(s.get_bind(), tmp_path / "city.jsonl.gz")
        s.execute(IndicatorTotal.__table__.delete())
        s.commit()
    result = runner.invoke(args=["rebuild-totals"])
    assert result.exit_code == 0, result.output
    with app_session(app) as s:
        assert _table(s) == kept
    copy = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with app_session(copy) as s:
        restore.restore(s.get_bind(), tmp_path / "city.jsonl.gz")
        assert _table(s) == kept
