"""The bureau dashboard's numbers, every one an SQL aggregate. No Flask."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.questionnaire.model import Level, Questionnaire
from assessment.services import (
    indicator_totals,
    latest_counts,
    stored_figures,
    submission_months,
)
from assessment.services.bureau_filters import Filters, latest_set
from assessment.services.cache import GENERATION, HISTORY, Cache, generation
from assessment.services.models import QuestionScore, utcnow
from assessment.services.score_distribution import ALL, GroupStats, distributions

HISTOGRAM_BINS = 10
# "At the target level or above" starts at this entry of an official level order: the first entry
# is below every level, so the third is MIIT's 二级 (the level the city's programmes aim at).
TARGET_ENTRY = 2


def target_levels(questionnaire: Questionnaire) -> tuple[Level, ...]:
    """The levels counted as "at the target level or above": the questionnaire's level order from
    its third entry up (MIIT: 二级, 三级, 四级). Empty for questionnaires scored by our own
    weighted design (their stages are not official levels, and their pages stay as they were)."""
    if questionnaire.scoring != "points":
        return ()
    return tuple(questionnaire.levels[TARGET_ENTRY:])


def share_of(counts: dict[str, int], n: int, stage_ids) -> float | None:
    """The share (0–1) of `n` whose stage is one of `stage_ids`, from exact counts per stage."""
    return sum(counts.get(s, 0) for s in stage_ids) / n if n else None


@dataclass
class GroupRow:
    key: str
    n: int
    mean: float | None
    median: float | None
    stage_shares: dict[str, float] = field(default_factory=dict)  # stage id → share 0–1
    stages: dict[str, int] = field(default_factory=dict)  # stage id → enterprises

    def share(self, stage_ids) -> float | None:
        """The share of the group at any of these stages (e.g. `target_levels`)."""
        return share_of(self.stages, self.n, stage_ids)


@dataclass
class QuarterStages:
    quarter: str  # "2025Q3"
    submissions: int
    stages: dict[str, int]  # stage id → submissions in the quarter

    def count(self, stage_ids) -> int:
        """The quarter's submissions at any of these stages."""
        return sum(self.stages.get(s, 0) for s in stage_ids)

    def share(self, stage_ids) -> float | None:
        """The share of the quarter's submissions at any of these stages."""
        return share_of(self.stages, self.submissions, stage_ids)


@dataclass
class Indicator:
    question_id: str
    share: float  # points won / attainable, 0–1
    n: int  # assessments it applied to


@dataclass
class Dashboard:
    filters: Filters
    participants: int
    submissions: int
    mean: float | None
    median: float | None
    stages: dict[str, int]
    histogram: list[int]  # counts per 10-point bin, 0–10 … 90–100
    by_industry: list[GroupRow]
    by_town: list[GroupRow]
    by_size: list[GroupRow]
    weakest_city: list[Indicator]
    weakest_cohort: list[Indicator] | None
    trend: list[tuple[str, int, float]]  # (quarter "2025Q3", submissions, mean total)
    trend_stages: list[QuarterStages] = field(default_factory=list)  # same quarters, by stage

    def share(self, stage_ids) -> float | None:
        """The share of participating enterprises (latest assessments) at these stages."""
        return share_of(self.stages, self.participants, stage_ids)


def _groups(groups: dict) -> list[GroupRow]:
    rows = [
        GroupRow(key, stats.n, stats.mean, stats.median,
                 {stage: count / stats.n for stage, count in stats.stages.items()},
                 dict(stats.stages))
        for key, stats in groups.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r.n, r.key or ""))


def weakest_indicators(session: Session, filters: Filters, limit: int = 10) -> list[Indicator]:
    """The questions with the lowest share of attainable points, over the latest assessments.

    Served by the maintained per-question totals when the filters allow it; otherwise one
    aggregate over the question scores of the latest assessments.
    """
    if filters.stage is None and indicator_totals.answers(filters):  # totals know no stage
        return [Indicator(*row) for row in indicator_totals.weakest(session, filters, limit)]
    return weakest_from_scores(session, filters, limit)


def weakest_from_scores(session: Session, filters: Filters, limit: int = 10) -> list[Indicator]:
    """`weakest_indicators` aggregated from the question scores themselves (any filters)."""
    latest = latest_set(filters)
    share = func.sum(QuestionScore.points) / func.sum(QuestionScore.max_points)
    stmt = (
        select(QuestionScore.question_id, share.label("share"), func.count())
        .join(latest, latest.c.id == QuestionScore.assessment_id)
        .where(QuestionScore.max_points > 0)
        .group_by(QuestionScore.question_id)
        .order_by(share, QuestionScore.question_id)
        .limit(limit)
    )
    return [Indicator(q, float(s), n) for q, s, n in session.execute(stmt)]


def _quarter(month: str) -> str:
    year, number = month.split("-")
    return f"{year}Q{(int(number) - 1) // 3 + 1}"


def quarters(rows: list[submission_months.MonthRow]):
    """(trend, trend_stages) from submissions per month and stage: per calendar quarter the
    submissions and mean total, and the submissions per stage. Every submission of the quarter
    counts (a re-assessment too), so the shares are those of the quarter's submissions, not of
    the enterprises' standing at the quarter's end."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    stages: dict[str, Counter] = defaultdict(Counter)
    for month, stage, count, total in rows:
        bucket = sums[_quarter(month)]
        bucket[0] += count
        bucket[1] += total
        stages[_quarter(month)][stage] += count
    trend = [(q, int(c), s / c) for q, (c, s) in sorted(sums.items()) if c]
    by_stage = [QuarterStages(q, sum(c.values()), dict(c)) for q, c in sorted(stages.items())]
    return trend, by_stage


def dashboard(session: Session, filters: Filters) -> Dashboard:
    """Every number of the dashboard for these filters (the quarterly trend from the maintained
    `submission_month` where it answers the filters)."""
    return _dashboard(session, filters, submission_months.monthly(session, filters))


def dashboard_from_rows(session: Session, filters: Filters) -> Dashboard:
    """`dashboard` computed from the submissions alone (the reference the maintained and stored
    figures must equal)."""
    return _dashboard(session, filters, submission_months.from_rows(session, filters), False)


def _dashboard(session: Session, filters: Filters, months, totals: bool = True) -> Dashboard:
    if totals and latest_counts.answers(filters):
        groups = latest_counts.distributions(session, filters)
    else:
        groups = distributions(session, latest_set(filters))
    everyone = groups[ALL].get(ALL, GroupStats())
    trend, trend_stages = quarters(months)
    histogram = [0] * HISTOGRAM_BINS
    for bucket, count in everyone.buckets.items():
        histogram[min(bucket // 10, HISTOGRAM_BINS - 1)] += count
    weakest = weakest_indicators if totals else weakest_from_scores
    return Dashboard(
        filters=filters,
        participants=everyone.n,
        submissions=sum(count for _quarter, count, _mean in trend),
        mean=everyone.mean,
        median=everyone.median,
        stages=dict(everyone.stages),
        histogram=histogram,
        by_industry=_groups(groups["industry"]),
        by_town=_groups(groups["town"]),
        by_size=_groups(groups["size_class"]),
        weakest_city=weakest(session, filters.without_cohort()),
        weakest_cohort=weakest(session, filters) if filters.has_cohort else None,
        trend=trend,
        trend_stages=trend_stages,
    )


def stage_shares(session: Session, filters: Filters) -> tuple[int, dict[str, int]]:
    """How many enterprises, and how many at each stage/tier (e.g. cloud-adoption tiers)."""
    latest = latest_set(filters)
    counts = dict(
        session.execute(select(latest.c.stage, func.count()).group_by(latest.c.stage)).all()
    )
    return sum(counts.values()), counts


def _to_json(dashboard: Dashboard) -> dict:
    figures = asdict(dashboard)
    del figures["filters"]  # the key the figures are stored under
    return figures


def _from_json(figures: dict, filters: Filters) -> Dashboard:
    weakest_cohort = figures["weakest_cohort"]
    return Dashboard(**{
        **figures, "filters": filters,
        "by_industry": [GroupRow(**row) for row in figures["by_industry"]],
        "by_town": [GroupRow(**row) for row in figures["by_town"]],
        "by_size": [GroupRow(**row) for row in figures["by_size"]],
        "weakest_city": [Indicator(**row) for row in figures["weakest_city"]],
        "weakest_cohort": None if weakest_cohort is None else [
            Indicator(**row) for row in weakest_cohort],
        "trend": [tuple(row) for row in figures["trend"]],
        "trend_stages": [QuarterStages(**row) for row in figures["trend_stages"]],
    })  # fmt: skip


def _cached_for_period(session: Session, cache: Cache, namespace: str, filters: Filters, compute,
                       to_json, from_json):  # fmt: skip
    """`compute(session, filters)`, cached per filter until the next submit. A period that has
    ended cannot change by a submit (it happens now): its figures are computed once, stored in
    the database for every worker and node (`services.stored_figures`) and kept until history is
    rewritten (seed, repair, review, restore), which bumps the history generation."""
    if filters.end is None or filters.end > utcnow():
        key = (filters, generation(session, GENERATION))
        return cache.get_or_compute(namespace, key, lambda: compute(session, filters))
    history = generation(session, HISTORY)

    def stored():
        figures = stored_figures.fetch_or_store(
            session, namespace, filters, history, lambda: to_json(compute(session, filters))
        )
        return from_json(figures, filters)

    return cache.get_or_compute(namespace, (filters, history), stored)


def cached_dashboard(session: Session, cache: Cache, filters: Filters) -> Dashboard:
    """`dashboard`, from the worker's cache when still current (an ended period's from the
    figures stored once for every worker)."""
    return _cached_for_period(session, cache, "dashboard", filters, dashboard, _to_json,
                              _from_json)  # fmt: skip


def cached_stage_shares(session: Session, cache: Cache, filters: Filters):
    """`stage_shares`, from the worker's cache when still current (an ended period's stored)."""
    return _cached_for_period(session, cache, "stage_shares", filters, stage_shares, list,
                              lambda figures, _filters: tuple(figures))  # fmt: skip
