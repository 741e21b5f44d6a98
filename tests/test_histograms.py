"""The score histograms that submits keep give exactly the cohort statistics of the raw rows.

After random sequences of real submits (re-submits, profile changes that move an enterprise to
another cohort, demo and non-demo firms, two pooled versions, months on both sides of the
window's edge, rebuilds in between), every cohort's n, mean, quartiles, stage counts and
percentile ranks read through the histograms equal `Benchmarks.recompute` over the raw rows,
and the maintained tables equal a rebuild row for row. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from assessment.core.binned import UNITS, BinnedDistribution
from assessment.core.cohorts import COHORT_KINDS, Cohort, Distribution
from assessment.core.uscc import make_uscc
from assessment.services import histograms, surveys
from assessment.services.benchmarks import Benchmarks
from assessment.services.demo import demo_answers, seed_demo
from assessment.services.models import Assessment, Base, ScoreBin, ScoreCount, StageCount, utcnow

from . import factories as f
from .helpers import register, typical_answers
from .test_results_page import submit_via_web

INDUSTRIES, TOWNS, SIZES = ("appliances", "bearings"), ("zhouxiang", "kandun"), ("small", "large")
VERSIONS = ("2025.1", "2025.2")  # lianghua's two comparable versions


def _tables(session) -> dict[str, set[tuple]]:
    return {
        model.__tablename__: {tuple(row) for row in session.execute(select(model.__table__))}
        for model in (ScoreBin, ScoreCount, StageCount)
    }


def _month(months_ago: int, day: int) -> datetime:
    now = utcnow()
    index = now.year * 12 + now.month - 1 - months_ago
    return datetime(index // 12, index % 12 + 1, day, 9, 30)


def _same(fast, slow, scores) -> None:
    """Two tables of one cohort agree on everything a result page shows."""
    assert fast.n == slow.n and fast.stages == slow.stages
    assert set(fast.metrics) == set(slow.metrics)
    for metric, exact in slow.metrics.items():
        binned, a, b = fast.metrics[metric], fast.metrics[metric].stats(), exact.stats()
        assert (a.n, a.median, a.p25, a.p75) == (b.n, b.median, b.p25, b.p75), metric
        assert a.mean == pytest.approx(b.mean, abs=1e-9)
        for score in (*exact.values, *scores, 0.0, 100.0):
            for includes_self in (True, False):
                assert binned.percentile_rank(score, includes_self) == exact.percentile_rank(
                    score, includes_self
                ), (metric, score)


def assert_histograms_agree(session, registry) -> None:
    """Every cohort of every enterprise, with and without demo rows, pooled and alone."""
    latest = session.scalars(select(Assessment).where(Assessment.is_latest.is_(True))).all()
    cohorts = {Cohort("city")}
    for a in latest:
        cohorts |= {Cohort.of(k, a.industry, a.town, a.size_class) for k in COHORT_KINDS}
    for cohort in cohorts:
        for include_demo in (False, True):
            for pool in (registry, None):
                benchmarks = Benchmarks(session, include_demo=include_demo, registry=pool)
                for version in VERSIONS:
                    slow = benchmarks.recompute("lianghua", version, cohort)
                    ranks = [(m, v) for m, d in slow.metrics.items() for v in d.values]
                    fast = benchmarks.table("lianghua", version, cohort, ranks)
                    _same(fast, slow, [v + 0.005 for _m, v in ranks])
    kept = _tables(session)
    histograms.rebuild(session)
    assert _tables(session) == kept  # no drift, and no emptied row left behind


def _empty(session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


def _submit(session, registry, ent, version: str, when: datetime, maturity: float, seed: int):
    questionnaire = registry.get("lianghua", version)
    draft = surveys.start(session, ent, questionnaire)
    draft.answers = demo_answers(questionnaire, maturity, random.Random(seed))
    session.commit()
    with mock.patch.object(surveys, "utcnow", lambda: when):  # the clock, not the database
        surveys.submit(session, draft, questionnaire)


FIRMS = st.lists(
    st.tuples(
        st.sampled_from(INDUSTRIES), st.sampled_from(TOWNS), st.sampled_from(SIZES), st.booleans()
    ),  # fmt: skip
    min_size=2,
    max_size=5,
)
STEPS = st.lists(
    st.tuples(
        st.integers(0, 4),  # which firm (modulo the firms drawn)
        st.sampled_from(VERSIONS),
        st.integers(0, 26),  # months ago: the window starts 24 months back
        st.integers(1, 28),  # day of the month
        st.floats(0.05, 0.95),  # maturity of the answers
        st.sampled_from([None, "industry", "town", "size_class"]),  # profile change first
        st.integers(0, 9),  # 0: rebuild the histograms afterwards (as a restore does)
    ),
    min_size=1,
    max_size=9,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(firms=FIRMS, steps=STEPS)
def test_histograms_kept_by_submits_equal_the_raw_rows(session, registry, firms, steps):
    _empty(session)
    ents = [f.enterprise(session, i, t, s, is_demo=d) for i, t, s, d in firms]
    session.commit()
    for n, (which, version, months_ago, day, maturity, change, rebuild) in enumerate(steps):
        ent = ents[which % len(ents)]
        if change is not None:  # the next submit lands in another cohort
            pool = {"industry": INDUSTRIES, "town": TOWNS, "size_class": SIZES}[change]
            setattr(ent, change, pool[(pool.index(getattr(ent, change)) + 1) % 2])
            session.commit()
        _submit(session, registry, ent, version, _month(months_ago, day), maturity, n)
        if rebuild == 0:
            histograms.rebuild(session)
            session.commit()
    assert_histograms_agree(session, registry)


def test_a_seeded_city_with_exact_points_totals_agrees(session, registry):
    """seed-demo rebuilds the histograms; MIIT totals have 3 decimals (Σ authored points)."""
    seed_demo(session, registry, 40, seed=3)
    totals = session.scalars(
        select(Assessment.total).where(Assessment.questionnaire_id == "miit", Assessment.is_latest)
    ).all()
    assert any(round(t * 100) != t * 100 for t in totals)  # finer than hundredths
    benchmarks = Benchmarks(session, include_demo=True, registry=registry)
    for questionnaire, version in (("miit", "2024.1"), ("cloud", "2025.1"), ("lianghua", "2025.2")):
        for cohort in (Cohort("city"), Cohort("size", size_class="small")):
            slow = benchmarks.recompute(questionnaire, version, cohort)
            ranks = [(m, v) for m, d in slow.metrics.items() for v in d.values]
            _same(benchmarks.table(questionnaire, version, cohort, ranks), slow, [])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 100 * UNITS // 5).map(lambda k: k * 5), min_size=1, max_size=60),
    st.floats(0, 100),
)
def test_binned_distribution_equals_the_frequency_table(units, extra):
    """The pure part: bins + the exact scores of the needed bins = the full table."""
    values = sorted(u / UNITS for u in units)
    pairs = sorted({v: values.count(v) for v in values}.items())
    exact = Distribution.from_counts(pairs)
    bins: dict[int, list[int]] = {}
    for u in units:
        cell = bins.setdefault(u // UNITS, [0, 0])
        cell[0], cell[1] = cell[0] + 1, cell[1] + u
    coarse = BinnedDistribution(tuple((b, n, s) for b, (n, s) in sorted(bins.items())))
    scores = [*values, extra, round(extra, 2)]
    needed = coarse.needed(scores)
    fine = {b: [(round(v * UNITS), c) for v, c in pairs if int(v) == b] for b in needed}
    binned = coarse.with_fine(fine)
    assert binned.needed(scores) == set()
    assert binned.stats().median == exact.stats().median
    assert (binned.stats().p25, binned.stats().p75) == (exact.stats().p25, exact.stats().p75)
    for score in scores:
        assert binned.percentile_rank(score, True) == exact.percentile_rank(score, True)
        assert binned.percentile_rank(score, False) == exact.percentile_rank(score, False)


def test_the_result_page_shows_the_figures_of_the_raw_rows_after_re_submits(client, app, registry):
    """What an enterprise reads (n, mean, median, quartiles, 'ahead of', per dimension too) is the
    same from the histograms as from the raw rows, after real submits and re-submits."""
    questionnaire = registry.get("lianghua")
    for n, picks in enumerate((["worst"], ["middle", "best"], ["best"], ["middle"], ["worst",
                               "middle"], ["best", "worst"])):  # fmt: skip
        other = app.test_client()
        uscc = make_uscc("330282", f"MH{n:06d}")
        assert register(other, uscc=uscc, email=f"h{n}@example.com").status_code == 302
        for pick in picks:  # a second pick is a re-submit: the first leaves every cohort
            submit_via_web(other, questionnaire, typical_answers(questionnaire, pick))
    register(client)
    submit_via_web(client, questionnaire, typical_answers(questionnaire, "best"))
    url = submit_via_web(client, questionnaire, typical_answers(questionnaire, "middle"))
    cells = re.compile(r'<td class="num">([^<]*)</td>')
    shown = cells.findall(client.get(url).text)
    assert shown.count("7") >= 1 and "—" not in shown[:5]  # the city row: 7 enterprises
    app.extensions["cache"].clear()
    with mock.patch.object(Benchmarks, "table", lambda self, q, v, cohort, ranks=(): self.recompute(
            q, v, cohort)):  # fmt: skip
        assert cells.findall(client.get(url).text) == shown
