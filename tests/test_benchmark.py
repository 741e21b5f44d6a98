"""Cohort statistics against values computed by hand; k threshold; window; latest-per-enterprise;
cache invalidation."""

from __future__ import annotations

import pytest

from assessment.core.cohorts import COHORT_KINDS, TOTAL, Cohort
from assessment.services import surveys
from assessment.services.benchmarks import Benchmarks
from assessment.services.cache import Cache

from . import factories as f
from .helpers import typical_answers

CITY = Cohort("city")


def stats_for(session, cohort=CITY, **kwargs):
    table = Benchmarks(session, **kwargs).table("lianghua", "2025.1", cohort)
    return table.metrics[TOTAL].stats() if TOTAL in table.metrics else None


def test_statistics_match_hand_computed_values_with_ties_and_an_even_count(session):
    # Totals 10, 20, 20, 30, 40, 80 (n=6, a tie at 20, an even count).
    for total in (10, 20, 20, 30, 40, 80):
        f.submitted(session, f.enterprise(session), total)
    session.commit()
    s = stats_for(session)
    assert s.n == 6
    assert s.mean == pytest.approx(200 / 6)
    # Linear interpolation: median at position 2.5 → (20 + 30) / 2; P25 at 1.25 → 20; P75 at 3.75 → 37.5.
    assert s.median == pytest.approx(25.0)
    assert s.p25 == pytest.approx(20.0)
    assert s.p75 == pytest.approx(37.5)


def test_odd_count_median_is_the_middle_value_and_percentile_ranks_count_ties_half(session):
    ents = [f.enterprise(session) for _ in range(5)]
    mine = None
    for ent, total in zip(ents, (50, 10, 50, 90, 30), strict=True):
        a = f.submitted(session, ent, total)
        mine = mine or a
    session.commit()
    benchmarks = Benchmarks(session, min_cohort=1)
    dist = benchmarks.table("lianghua", "2025.1", Cohort("city")).metrics[TOTAL]
    assert dist.stats().median == 50
    # Mine is 50: of the 4 others, 10 and 30 are below, one 50 ties (half): (2 + 0.5) / 4.
    assert dist.percentile_rank(50, includes_self=True) == pytest.approx(62.5)
    # Someone outside the cohort scoring 95 is ahead of all 5.
    assert dist.percentile_rank(95, includes_self=False) == 100.0
    comparison = benchmarks.compare(mine, {TOTAL: 50, "foundation": 50})
    assert comparison["city"].percentile[TOTAL] == pytest.approx(62.5)


def test_dimension_statistics_are_computed_per_dimension(session):
    for total, a, b in ((40, 10, 70), (60, 30, 90), (80, 50, 100)):
        f.submitted(session, f.enterprise(session), total, {"foundation": a, "integration": b})
    session.commit()
    table = Benchmarks(session).table("lianghua", "2025.1", Cohort("city"))
    assert table.metrics["foundation"].stats().median == 30
    assert table.metrics["integration"].stats().mean == pytest.approx(260 / 3)
    assert table.n == 3


def test_cohorts_filter_by_industry_town_size_and_both(session):
    for industry, town, size, total in [
        ("appliances", "zhouxiang", "small", 10), ("appliances", "zhouxiang", "medium", 20),
        ("appliances", "hushan", "small", 30), ("bearings", "zhouxiang", "small", 40),
        ("bearings", "hushan", "micro", 50),
    ]:  # fmt: skip
        f.submitted(session, f.enterprise(session, industry, town, size), total)
    session.commit()
    n = lambda cohort: Benchmarks(session).table("lianghua", "2025.1", cohort).n  # noqa: E731
    assert n(Cohort("city")) == 5
    assert n(Cohort("industry", industry="appliances")) == 3
    assert n(Cohort("town", town="zhouxiang")) == 3
    assert n(Cohort("size", size_class="small")) == 3
    assert n(Cohort("industry_size", industry="appliances", size_class="small")) == 2


def test_only_the_latest_assessment_per_enterprise_within_the_window_counts(session):
    ent = f.enterprise(session)
    f.submitted(session, ent, 10, days_ago=400)
    f.submitted(session, ent, 90, days_ago=20)  # the latest: replaces 10
    old = f.enterprise(session)
    f.submitted(session, old, 70, days_ago=800)  # outside 24 months
    other_version = f.enterprise(session)
    f.submitted(session, other_version, 55, version="2026.1")
    demo = f.enterprise(session, is_demo=True)
    f.submitted(session, demo, 33)
    session.commit()
    s = stats_for(session)
    assert s.n == 1 and s.mean == 90
    assert stats_for(session, window_months=36).n == 2  # the 800-day-old one comes back
    assert stats_for(session, include_demo=True).n == 2  # demo data only in demo mode


def test_small_cohorts_fall_back_to_the_next_wider_one_and_say_so(session):
    # Five appliance makers in Zhouxiang (enough), one bearing maker alone in its industry.
    for total in (20, 30, 40, 50, 60):
        f.submitted(session, f.enterprise(session, "appliances", "zhouxiang", "small"), total)
    for total in (25, 35):
        f.submitted(session, f.enterprise(session, "plastics", "hushan", "micro"), total)
    alone = f.submitted(session, f.enterprise(session, "bearings", "hushan", "large"), 45)
    session.commit()
    comparisons = Benchmarks(session, min_cohort=5).compare(alone, {TOTAL: 45})
    industry = comparisons["industry"]
    assert industry.requested == Cohort("industry", industry="bearings")
    assert industry.shown == Cohort("city") and industry.fell_back
    assert industry.n == 8
    assert comparisons["industry_size"].shown == Cohort("city")
    # Not even the city has 5 peers at k = 8: nothing is shown.
    none_shown = Benchmarks(session, min_cohort=8).compare(alone, {TOTAL: 45})
    assert none_shown["city"].shown is None and none_shown["city"].stats == {}


def test_the_first_enterprise_in_the_city_gets_no_comparison_and_no_error(session):
    first = f.submitted(session, f.enterprise(session), 42)
    session.commit()
    comparisons = Benchmarks(session).compare(first, {TOTAL: 42})
    assert set(comparisons) == set(COHORT_KINDS)
    assert all(c.shown is None and c.stats == {} for c in comparisons.values())


def test_cache_is_used_and_invalidated_by_a_submit(session, registry):
    cache = Cache()
    for total in (10, 20, 30):
        f.submitted(session, f.enterprise(session), total)
    session.commit()
    first = Benchmarks(session, cache=cache, registry=registry).table("lianghua", "2025.1", CITY)
    again = Benchmarks(session, cache=cache, registry=registry).table("lianghua", "2025.1", CITY)
    assert again is first and cache.hits == 1
    # A fourth enterprise submits (the real submit, not a row written around it), on the newest
    # version (2025.2): it pools with 2025.1, so the 2025.1 cohort counts it.
    questionnaire = registry.get("lianghua")
    draft = surveys.start(session, f.enterprise(session), questionnaire)
    draft.answers = typical_answers(questionnaire, "best")
    session.commit()
    surveys.submit(session, draft, questionnaire)
    fresh = Benchmarks(session, cache=cache, registry=registry).table("lianghua", "2025.1", CITY)
    assert fresh.n == 4 and fresh.metrics[TOTAL].stats().median == 25
