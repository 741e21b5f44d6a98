"""The dashboard's maintained and stored figures equal the figures computed from the raw rows:
submissions per month kept by every submit (`submission_month`), and figures of ended periods
computed once and stored for every worker (`stored_figures`)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from assessment.services import (
    backup,
    latest_counts,
    profile,
    restore,
    stored_figures,
    submission_months,
    surveys,
)
from assessment.services.bureau_filters import Filters
from assessment.services.bureau_stats import (
    cached_dashboard,
    cached_stage_shares,
    dashboard,
    dashboard_from_rows,
    stage_shares,
)
from assessment.services.cache import HISTORY, Cache, generation
from assessment.services.demo import demo_answers, seed_demo
from assessment.services.migrate import alembic_config, upgrade
from assessment.services.models import (
    Assessment,
    Enterprise,
    LatestPoint,
    LatestValue,
    StoredFigures,
    SubmissionMonth,
    utcnow,
)
from assessment.web.extensions import db

from . import factories as f

POOL = ("2025.1", "2025.2")  # lianghua's comparable versions, counted together


def _table(session) -> dict[tuple, tuple[int, int]]:
    rows = session.scalars(select(SubmissionMonth))
    return {tuple(getattr(r, k) for k in submission_months.KEY_COLUMNS):
            (r.n, r.total_thousandths) for r in rows}  # fmt: skip


def _latest(session) -> dict[tuple, tuple]:
    """Both latest-count tables without their emptied rows (a submit leaves a row at 0)."""
    found = {}
    for table, keys in (
        (LatestPoint, latest_counts.POINT_KEY),
        (LatestValue, latest_counts.VALUE_KEY),
    ):
        for r in session.scalars(select(table)):
            if r.n:
                found[(table.__tablename__, *(getattr(r, k) for k in keys))] = (
                    r.n,
                    getattr(r, "total_thousandths", None),
                )
    return found  # fmt: skip


def _same(a, b, path="") -> None:
    """Equal figures: floats to 1e-9 (sums added in another order), everything else exactly."""
    if dataclasses.is_dataclass(a):
        a, b = dataclasses.asdict(a), dataclasses.asdict(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-9), path
    else:
        assert a == b, path


def _same_dashboard(found, expected) -> None:
    """`_same`, with the weakest indicators compared by their shares (questions tied at the same
    share may be ordered, and cut at the tenth, differently by the two sums)."""
    for name in ("weakest_city", "weakest_cohort"):
        mine, theirs = getattr(found, name), getattr(expected, name)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            _same([i.share for i in mine], [i.share for i in theirs], name)
    strip = {"weakest_city": None, "weakest_cohort": None}
    _same(dataclasses.replace(found, **strip), dataclasses.replace(expected, **strip))


def _filters() -> list[Filters]:
    now = utcnow()
    this_year, last_year = datetime(now.year, 1, 1), datetime(now.year - 1, 1, 1)
    month = datetime(now.year, now.month, 1)
    ended = {"start": last_year, "end": this_year}
    return [
        Filters("lianghua", "2025.2", versions=POOL, include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL),
        Filters("lianghua", "2025.2", versions=POOL, start=datetime(now.year - 1, now.month, 1),
                include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, industry="bearings", include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, town="kandun", include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, size_class="small", include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, stage="integration", include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, industry="bearings", town="kandun",
                include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, towns=frozenset({"kandun"}),
                include_demo=True),
        Filters("lianghua", "2025.2", versions=POOL, include_demo=True, **ended),
        Filters("lianghua", "2025.2", versions=POOL, **ended),
        Filters("lianghua", "2025.2", versions=POOL, industry="bearings", include_demo=True,
                **ended),
        Filters("lianghua", "2025.2", versions=POOL, end=month, include_demo=True),
        Filters("cloud", "2025.1", include_demo=True, **ended),
    ]  # fmt: skip


def _check(session) -> None:
    """Every maintained and stored figure equals the raw rows' (a new worker each time: a fresh
    cache, the stored figures shared)."""
    for filters in _filters():
        expected = dashboard_from_rows(session, filters)
        _same_dashboard(dashboard(session, filters), expected)
        _same_dashboard(cached_dashboard(session, Cache(), filters), expected)
        _same_dashboard(cached_dashboard(session, Cache(), filters), expected)  # stored now
        _same(cached_stage_shares(session, Cache(), filters), stage_shares(session, filters))
    kept, latest = _table(session), _latest(session)
    submission_months.rebuild(session)
    latest_counts.rebuild(session)
    session.commit()
    assert _table(session) == kept  # no drift
    assert _latest(session) == latest


def _submit(session, registry, enterprise, maturity: float, rng) -> None:
    questionnaire = registry.get("lianghua")
    draft = surveys.start(session, enterprise, questionnaire)
    draft.answers = demo_answers(questionnaire, maturity, rng)
    session.commit()
    surveys.submit(session, draft, questionnaire)


def _restore(session, tmp_path) -> None:
    engine = session.get_bind()
    session.commit()
    session.close()
    path = tmp_path / f"b{random.random()}.jsonl.gz"
    backup.dump(engine, path)
    restore.restore(engine, path, replace=True)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, 30), st.floats(0.05, 0.95)),
        st.tuples(st.just("new"), st.sampled_from(["bearings", "textiles"]),
                  st.sampled_from(["kandun", "hushan"]), st.floats(0.05, 0.95)),
        st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(["bearings", "appliances"]),
                  st.sampled_from(["kandun", "zhouxiang"]), st.sampled_from(["small", "medium"])),
        st.tuples(st.just("restore")),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip


def test_maintained_and_stored_figures_equal_the_raw_rows(session, registry, tmp_path):
    seed_demo(session, registry, 40, seed=5)  # two years of history, ended periods among them
    _check(session)
    rng = random.Random(3)

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(OPERATIONS)
    def run(operations):
        firms = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        for op, *args in operations:
            if op == "submit":
                _submit(session, registry, firms[args[0] % len(firms)], args[1], rng)
            elif op == "new":
                firm = f.enterprise(session, industry=args[0], town=args[1])
                session.commit()
                _submit(session, registry, firm, args[2], rng)
            elif op == "move":  # a cohort change: later submits are counted in the new cohort
                firm = firms[args[0] % len(firms)]
                firm.industry, firm.town, firm.size_class = args[1:]
                session.commit()
            else:
                _restore(session, tmp_path)
                firms = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        _check(session)

    run()


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_an_ended_period_is_computed_once_for_every_worker(make_app):
    first, second = make_app(), make_app()  # two workers (or nodes) on one database
    now = utcnow()
    past = Filters("lianghua", "2025.1", datetime(now.year - 1, 1, 1), datetime(now.year, 1, 1))
    with first.app_context():
        ent = f.enterprise(db.session)
        f.submitted(db.session, ent, 40.0, days_ago=(now - datetime(now.year - 1, 6, 1)).days)
        db.session.commit()
        computed = cached_dashboard(db.session, first.extensions["cache"], past)
        assert computed.participants == 1
    with second.app_context():
        seen = _statements(db.engine)
        reused = cached_dashboard(db.session, second.extensions["cache"], past)
        assert not [s for s in seen if "FROM assessment" in s]  # read, not recomputed
        assert reused == computed
        # A repair of the past (here: a row written outside submit) bumps the history
        # generation: the next worker to ask recomputes, and stores the new figures.
        other = f.enterprise(db.session)
        f.submitted(db.session, other, 60.0, days_ago=(now - datetime(now.year - 1, 7, 1)).days)
        db.session.commit()
    with first.app_context():
        again = cached_dashboard(db.session, first.extensions["cache"], past)
        assert again.participants == 2 and again.mean == pytest.approx(50.0)
        _same_dashboard(again, dashboard_from_rows(db.session, past))
        assert db.session.scalar(select(StoredFigures.generation)) is not None
        assert len(db.session.scalars(select(StoredFigures)).all()) == 1  # the old row is gone


def test_a_restore_rebuilds_the_counts_and_forgets_stored_figures(session, registry, tmp_path):
    seed_demo(session, registry, 12, seed=2)
    now = utcnow()
    past = Filters("lianghua", "2025.2", versions=POOL, start=datetime(now.year - 1, 1, 1),
                   end=datetime(now.year, 1, 1), include_demo=True)  # fmt: skip
    stored_figures.store(session, "dashboard", past, 0, {"participants": -1})
    kept = _table(session)
    assert kept
    _restore(session, tmp_path)
    assert _table(session) == kept
    assert session.scalars(select(StoredFigures)).all() == []


def test_migration_backfills_the_counts_from_existing_submissions(session, registry):
    seed_demo(session, registry, 12, seed=4)
    kept, latest = _table(session), _latest(session)
    session.commit()
    session.close()
    engine = session.get_bind()
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    upgrade(engine)
    assert _table(session) == kept
    assert _latest(session) == latest


def test_moving_town_rewrites_the_past_for_town_officers(session):
    ent = f.enterprise(session, town="kandun")
    session.commit()
    before = generation(session, HISTORY)
    changed = dataclasses.replace(profile.current(ent), town="hushan")
    profile.update_profile(session, ent, changed, by=None)
    assert generation(session, HISTORY) == before + 1


def test_miit_totals_with_three_decimals_stay_exact(session, registry):
    """MIIT totals are sums of authored points with 3 decimals (e.g. 25.575): the maintained
    counts keep thousandths, so means and medians equal the raw rows' (hundredths would not)."""
    seed_demo(session, registry, 40, seed=3)
    totals = session.scalars(
        select(Assessment.total).where(Assessment.questionnaire_id == "miit", Assessment.is_latest)
    ).all()
    assert any(round(t * 100) != t * 100 for t in totals)  # finer than hundredths
    now = utcnow()
    for filters in (
        Filters("miit", "2024.1", include_demo=True),
        Filters("miit", "2024.1", include_demo=True, size_class="small"),
        Filters("miit", "2024.1", include_demo=True, start=datetime(now.year - 1, 1, 1),
                end=datetime(now.year, 1, 1)),
    ):  # fmt: skip
        _same_dashboard(dashboard(session, filters), dashboard_from_rows(session, filters))
