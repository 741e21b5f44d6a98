"""The bureau dashboard's numbers, every one an SQL aggregate. No Flask."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from ..models import Assessment, QuestionScore
from .bureau_filters import Filters, latest_set, median_by, submitted_conditions

HISTOGRAM_BINS = 10


@dataclass
class GroupRow:
    key: str
    n: int
    mean: float | None
    median: float | None
    stage_shares: dict[str, float] = field(default_factory=dict)  # stage id → share 0–1


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


def _histogram_bin(column):
    """The 10-point bin of a score as a portable CASE (no FLOOR/CAST rounding differences)."""
    whens = [(column < 10 * (i + 1), i) for i in range(HISTOGRAM_BINS - 1)]
    return case(*whens, else_=HISTOGRAM_BINS - 1)


def _groups(session: Session, latest, column) -> list[GroupRow]:
    key = latest.c[column]
    rows = {
        k: GroupRow(k, n, mean, None)
        for k, n, mean in session.execute(
            select(key, func.count(), func.avg(latest.c.total)).group_by(key).order_by(key)
        )
    }
    for k, median in session.execute(median_by(latest, latest.c.total, key)):
        rows[k].median = float(median)
    for k, stage, count in session.execute(
        select(key, latest.c.stage, func.count()).group_by(key, latest.c.stage)
    ):
        rows[k].stage_shares[stage] = count / rows[k].n
    return sorted(rows.values(), key=lambda r: (-r.n, r.key))


def weakest_indicators(session: Session, filters: Filters, limit: int = 10) -> list[Indicator]:
    """The questions with the lowest share of attainable points, over the latest assessments."""
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


def quarterly_trend(session: Session, filters: Filters) -> list[tuple[str, int, float]]:
    """Submissions and mean total per calendar quarter (every submission, not only the latest)."""
    year = extract("year", Assessment.submitted_at)
    month = extract("month", Assessment.submitted_at)
    stmt = (
        select(year, month, func.count(), func.sum(Assessment.total))
        .where(*submitted_conditions(filters))
        .group_by(year, month)
    )
    quarters: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for y, m, count, total in session.execute(stmt):
        bucket = quarters[f"{int(y)}Q{(int(m) - 1) // 3 + 1}"]
        bucket[0] += count
        bucket[1] += float(total or 0)
    return [(q, int(c), s / c) for q, (c, s) in sorted(quarters.items()) if c]


def dashboard(session: Session, filters: Filters) -> Dashboard:
    """Every number of the dashboard for these filters."""
    latest = latest_set(filters)
    participants, mean = session.execute(select(func.count(), func.avg(latest.c.total))).one()
    submissions = session.scalar(
        select(func.count()).select_from(Assessment).where(*submitted_conditions(filters))
    )
    median = session.scalar(median_by(latest, latest.c.total)) if participants else None
    stages = dict(
        session.execute(select(latest.c.stage, func.count()).group_by(latest.c.stage)).all()
    )
    histogram = [0] * HISTOGRAM_BINS
    bin_ = _histogram_bin(latest.c.total)
    for index, count in session.execute(select(bin_, func.count()).group_by(bin_)):
        histogram[int(index)] = count
    return Dashboard(
        filters=filters,
        participants=participants,
        submissions=submissions or 0,
        mean=float(mean) if mean is not None else None,
        median=float(median) if median is not None else None,
        stages=stages,
        histogram=histogram,
        by_industry=_groups(session, latest, "industry"),
        by_town=_groups(session, latest, "town"),
        by_size=_groups(session, latest, "size_class"),
        weakest_city=weakest_indicators(session, filters.without_cohort()),
        weakest_cohort=weakest_indicators(session, filters) if filters.has_cohort else None,
        trend=quarterly_trend(session, filters),
    )


def stage_shares(session: Session, filters: Filters) -> tuple[int, dict[str, int]]:
    """How many enterprises, and how many at each stage/tier (e.g. cloud-adoption tiers)."""
    latest = latest_set(filters)
    counts = dict(
        session.execute(select(latest.c.stage, func.count()).group_by(latest.c.stage)).all()
    )
    return sum(counts.values()), counts
