"""Counts, means, stage shares and exact medians of total scores per group, from SQL aggregates.
No Flask.

A median by window functions sorts every row of every group (~100 ms per grouping at 100,000
assessments on SQLite). Instead one GROUP BY returns, per group, the count and sum of totals per
stage and per whole-point bucket; the buckets locate each median, and one more query fetches only
the totals inside the buckets that hold a middle rank (a few per cent of the rows). The result is
the exact median: the middle value, or the mean of the two middle values for an even count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select

GROUP_COLUMNS = ("industry", "town", "size_class")
ALL = None  # the grouping "everyone"


@dataclass
class GroupStats:
    """Distribution of total scores in one group."""

    n: int = 0
    sum: float = 0.0
    stages: Counter = field(default_factory=Counter)  # stage id → count
    buckets: Counter = field(default_factory=Counter)  # floor(total) → count
    median: float | None = None

    @property
    def mean(self) -> float | None:
        """Mean total, None for an empty group."""
        return self.sum / self.n if self.n else None


def score_bucket(dialect: str, column):
    """floor(score) as an integer (scores are never negative): CAST truncates on SQLite but rounds
    on PostgreSQL, so PostgreSQL floors first."""
    if dialect == "postgresql":
        return cast(func.floor(column), Integer)
    return cast(column, Integer)


def middle_ranks(n: int) -> tuple[int, int]:
    """The 1-based ranks whose mean is the median of `n` values (equal for an odd count)."""
    return (n + 1) // 2, (n + 2) // 2


def locate(buckets: Counter, rank: int) -> tuple[int, int]:
    """(bucket, 0-based position inside it) of the `rank`-th smallest total."""
    seen = 0
    for bucket in sorted(buckets):
        if seen + buckets[bucket] >= rank:
            return bucket, rank - seen - 1
        seen += buckets[bucket]
    raise ValueError("rank beyond the count")


def distributions(session, latest) -> dict[str | None, dict]:
    """Per grouping column ("industry", "town", "size_class", and ALL for everyone) a dict of
    group value → GroupStats, with exact medians, over the rows of the subquery `latest`."""
    bucket = score_bucket(session.get_bind().dialect.name, latest.c.total)
    result: dict[str | None, dict] = {}
    for column in GROUP_COLUMNS:
        key = latest.c[column]
        groups: dict = defaultdict(GroupStats)
        stmt = (
            select(key, latest.c.stage, bucket, func.count(), func.sum(latest.c.total))
            .where(latest.c.total.is_not(None))  # never for a submitted assessment; be safe
            .group_by(key, latest.c.stage, bucket)
        )
        for value, stage, b, count, total in session.execute(stmt):
            stats = groups[value]
            stats.n += count
            stats.sum += float(total)
            stats.stages[stage] += count
            stats.buckets[int(b)] += count
        result[column] = dict(groups)
    everyone = GroupStats()
    for stats in result[GROUP_COLUMNS[-1]].values():  # every row is in exactly one size group
        everyone.n += stats.n
        everyone.sum += stats.sum
        everyone.stages.update(stats.stages)
        everyone.buckets.update(stats.buckets)
    result[ALL] = {ALL: everyone} if everyone.n else {}
    _fill_medians(session, latest, bucket, result)
    return result


def _fill_medians(session, latest, bucket, result: dict) -> None:
    wanted: dict[tuple, list[tuple[int, int]]] = {}  # (column, value) → [(bucket, position)] × 2
    for column, groups in result.items():
        for value, stats in groups.items():
            wanted[(column, value)] = [locate(stats.buckets, r) for r in middle_ranks(stats.n)]
    if not wanted:
        return
    # One cheap condition (the buckets holding any middle rank) rather than one per group: the
    # extra rows it returns cost less than evaluating dozens of conditions on every row.
    buckets = sorted({b for places in wanted.values() for b, _ in places})
    values: dict[tuple, list[float]] = defaultdict(list)
    stmt = select(*(latest.c[c] for c in GROUP_COLUMNS), bucket, latest.c.total)
    for *keys, b, total in session.execute(stmt.where(bucket.in_(buckets))):
        values[(ALL, ALL, b)].append(total)
        for column, value in zip(GROUP_COLUMNS, keys, strict=True):
            values[(column, value, b)].append(total)
    for (column, value), places in wanted.items():
        middle = [sorted(values[(column, value, b)])[position] for b, position in places]
        result[column][value].median = float(sum(middle) / 2)
