"""Cohort statistics: where an enterprise stands among its Cixi peers. No Flask.

One SQL query per cohort aggregates the latest submitted assessment of each enterprise into a
frequency table per metric (`GROUP BY metric, score`; scores are stored to 2 decimals, so the table
is exact and small). n, mean, median, P25, P75 and any score's percentile rank follow exactly from
it. Tables are cached per process, keyed by a generation counter that every submit bumps in the
database, so every worker sees a new submission at once.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from .models import STATUS_SUBMITTED, AppState, Assessment, DimensionScore, utcnow

TOTAL = "_total"  # the metric name of the total score (ids cannot start with "_")
GENERATION_KEY = "benchmark_generation"
HISTORY_KEY = "history_generation"  # bumped only when data of past periods may change
COHORT_KINDS = ("city", "industry", "town", "size", "industry_size")
# The next wider cohort to show when one is too small.
WIDER = {"industry_size": "industry", "industry": "city", "town": "city", "size": "city"}


@dataclass(frozen=True)
class Cohort:
    kind: str
    industry: str | None = None
    town: str | None = None
    size_class: str | None = None

    @classmethod
    def of(cls, kind: str, industry: str | None, town: str | None, size_class: str | None):
        """The cohort of this kind for an enterprise with these attributes."""
        return cls(
            kind,
            industry=industry if kind in ("industry", "industry_size") else None,
            town=town if kind == "town" else None,
            size_class=size_class if kind in ("size", "industry_size") else None,
        )


@dataclass(frozen=True)
class Stats:
    n: int
    mean: float
    median: float
    p25: float
    p75: float


@dataclass(frozen=True)
class Distribution:
    """The exact frequency table of one metric in one cohort."""

    values: tuple[float, ...]  # distinct scores, ascending
    cumulative: tuple[int, ...]  # how many scores are ≤ values[i]
    total: float  # the sum of all scores

    @property
    def n(self) -> int:
        """How many enterprises have this metric."""
        return self.cumulative[-1] if self.cumulative else 0

    def _value_at(self, index: int) -> float:
        return self.values[bisect.bisect_right(self.cumulative, index)]

    def quantile(self, p: float) -> float:
        """The p-quantile with linear interpolation between order statistics (numpy's default)."""
        position = (self.n - 1) * p
        low = int(position)
        value = self._value_at(low)
        if position > low:
            value += (position - low) * (self._value_at(low + 1) - value)
        return value

    def stats(self) -> Stats:
        """n, mean, median, P25, P75."""
        return Stats(
            self.n,
            self.total / self.n,
            self.quantile(0.5),
            self.quantile(0.25),
            self.quantile(0.75),
        )

    def percentile_rank(self, score: float, includes_self: bool) -> float | None:
        """The share (0–100) of *other* enterprises scoring below `score`, ties counting half.

        None when there is nobody else to compare with.
        """
        index = bisect.bisect_left(self.values, score)
        below = self.cumulative[index - 1] if index > 0 else 0
        at = bisect.bisect_right(self.values, score)
        equal = (self.cumulative[at - 1] if at > 0 else 0) - below
        others = self.n - (1 if includes_self else 0)
        if includes_self:
            equal -= 1
        if others <= 0:
            return None
        return 100.0 * (below + 0.5 * max(equal, 0)) / others


@dataclass(frozen=True)
class CohortTable:
    cohort: Cohort
    metrics: dict[str, Distribution]

    @property
    def n(self) -> int:
        """Enterprises in the cohort."""
        total = self.metrics.get(TOTAL)
        return total.n if total else 0


@dataclass
class Comparison:
    """One requested cohort as shown to an enterprise (possibly a wider one)."""

    requested: Cohort
    shown: Cohort | None  # None: no cohort is large enough yet
    n: int = 0
    stats: dict[str, Stats] = field(default_factory=dict)
    percentile: dict[str, float | None] = field(default_factory=dict)

    @property
    def fell_back(self) -> bool:
        """True when a wider cohort is shown instead of the requested one."""
        return self.shown is not None and self.shown != self.requested


class BenchmarkCache:
    """A small thread-safe LRU of cohort tables (one per worker process)."""

    def __init__(self, size: int = 512):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        """The cached value or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def clear(self) -> None:
        """Forget everything (as a worker restart does)."""
        with self._lock:
            self._items.clear()

    def put(self, key, value) -> None:
        """Store a value, evicting the least recently used."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def generation(session: Session, key: str = GENERATION_KEY) -> int:
    """The benchmark generation (changes whenever submitted data changes), or with
    key=HISTORY_KEY the history generation (changes only when past data is written)."""
    return session.scalar(select(AppState.value).where(AppState.key == key)) or 0


def bump_generation(session: Session, history: bool = False) -> None:
    """Invalidate every worker's cached cohort tables; call inside the writing transaction.

    `history=True` also invalidates figures of periods that have ended: pass it from writers of
    anything but a submit happening now (seed, repairs), since a submit can never change a period
    that ended before it. (A restore needs the workers restarted, which empties their caches.)
    One upsert per counter, so concurrent first submits cannot both insert it (the migration
    creates the row, but a restored or emptied table may lack it).
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for key in (GENERATION_KEY, HISTORY_KEY) if history else (GENERATION_KEY,):
        statement = insert(AppState).values(key=key, value=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[AppState.key], set_={"value": AppState.value + 1}
            )
        )


def window_start(now: datetime, months: int) -> datetime:
    """The start of the benchmark window, at day granularity (so it can key a cache)."""
    start = now - timedelta(days=round(months * 30.4375))
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


class Benchmarks:
    """Cohort statistics for one questionnaire version, over one window."""

    def __init__(
        self,
        session: Session,
        cache: BenchmarkCache | None = None,
        window_months: int = 24,
        min_cohort: int = 5,
        include_demo: bool = False,
        now: datetime | None = None,
    ):
        self.session = session
        self.cache = cache or BenchmarkCache()
        self.window_months = window_months
        self.min_cohort = min_cohort
        self.include_demo = include_demo
        self.since = window_start(now or utcnow(), window_months)
        self._generation: int | None = None

    def _filters(self, questionnaire_id: str, version: str, cohort: Cohort) -> list:
        filters = [
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.questionnaire_version == version,
            Assessment.is_latest.is_(True),
            Assessment.status == STATUS_SUBMITTED,
            Assessment.submitted_at >= self.since,
        ]
        if not self.include_demo:
            filters.append(Assessment.is_demo.is_(False))
        if cohort.industry is not None:
            filters.append(Assessment.industry == cohort.industry)
        if cohort.town is not None:
            filters.append(Assessment.town == cohort.town)
        if cohort.size_class is not None:
            filters.append(Assessment.size_class == cohort.size_class)
        return filters

    def table(self, questionnaire_id: str, version: str, cohort: Cohort) -> CohortTable:
        """The frequency tables of the total and every dimension in a cohort (cached)."""
        if self._generation is None:
            self._generation = generation(self.session)
        key = (questionnaire_id, version, cohort, self.since, self.include_demo, self._generation)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        filters = self._filters(questionnaire_id, version, cohort)
        totals = select(literal(TOTAL).label("metric"), Assessment.total.label("score")).where(
            *filters
        )
        dimensions = (
            select(DimensionScore.dimension_id.label("metric"), DimensionScore.score.label("score"))
            .join(Assessment, Assessment.id == DimensionScore.assessment_id)
            .where(*filters)
        )
        rows = union_all(totals, dimensions).subquery()
        stmt = (
            select(rows.c.metric, rows.c.score, func.count())
            .group_by(rows.c.metric, rows.c.score)
            .order_by(rows.c.metric, rows.c.score)
        )
        grouped: dict[str, list[tuple[float, int]]] = {}
        for metric, score, count in self.session.execute(stmt):
            grouped.setdefault(metric, []).append((float(score), int(count)))
        metrics = {}
        for metric, pairs in grouped.items():
            running, cumulative = 0, []
            for _score, count in pairs:
                running += count
                cumulative.append(running)
            metrics[metric] = Distribution(
                tuple(s for s, _ in pairs), tuple(cumulative), sum(s * c for s, c in pairs)
            )
        table = CohortTable(cohort, metrics)
        self.cache.put(key, table)
        return table

    def includes(self, assessment: Assessment) -> bool:
        """Whether this assessment is itself one of the cohort's data points."""
        return bool(
            assessment.is_latest
            and assessment.status == STATUS_SUBMITTED
            and assessment.submitted_at is not None
            and assessment.submitted_at >= self.since
            and (self.include_demo or not assessment.is_demo)
        )

    def compare(
        self, assessment: Assessment, scores: dict[str, float | None]
    ) -> dict[str, Comparison]:
        """For each cohort kind: the cohort shown (falling back to a wider one below k peers),
        its statistics and the assessment's percentile rank per metric.

        `scores` maps TOTAL and dimension ids to the assessment's scores.
        """
        includes_self = self.includes(assessment)
        out = {}
        for kind in COHORT_KINDS:
            requested = Cohort.of(kind, assessment.industry, assessment.town, assessment.size_class)
            comparison = Comparison(requested, None)
            candidate: Cohort | None = requested
            while candidate is not None:
                table = self.table(
                    assessment.questionnaire_id, assessment.questionnaire_version, candidate
                )
                if table.n - (1 if includes_self else 0) >= self.min_cohort:
                    comparison.shown, comparison.n = candidate, table.n
                    for metric, dist in table.metrics.items():
                        comparison.stats[metric] = dist.stats()
                        score = scores.get(metric)
                        comparison.percentile[metric] = (
                            None if score is None else dist.percentile_rank(score, includes_self)
                        )
                    break
                wider = WIDER.get(candidate.kind)
                candidate = (
                    Cohort.of(wider, assessment.industry, assessment.town, assessment.size_class)
                    if wider
                    else None
                )
            out[kind] = comparison
        return out
