"""Cohort statistics from the database: a few small queries per cohort, cached per worker. No
Flask.

The score histograms that every submit keeps (`services/histograms.py`) give, per cohort and
metric, the whole-point bins (n, exact mean, where each quartile lies), then the exact scores of
only the bins that hold a quartile or the enterprise's own score; `core/binned.py` turns them into
the same n, mean, quartiles and percentile ranks as the full frequency table of the raw rows
(`recompute`, kept as the reference the tests compare with). The cost does not grow with the
number of assessments. Tables are cached in the worker's `Cache`, keyed by the generation that
every submit bumps in the database, so every worker sees a new submission at once.

The window counts whole months: assessments submitted since the first day of the month
`window_months` before the current one (the histograms are kept per month of submission).

A cohort counts every version of the questionnaire that pools with the assessment's own
(`Registry.pooled`: versions declared comparable), so a new comparable version does not start
every cohort empty, and an assessment on an older version is still compared with everyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from assessment.core.binned import BinnedDistribution
from assessment.core.cohorts import (
    COHORT_KINDS,
    TOTAL,
    WIDER,
    Cohort,
    CohortTable,
    Comparison,
    Distribution,
)
from assessment.core.enums import Status
from assessment.core.questionnaire import Registry
from assessment.services import histograms
from assessment.services.cache import Cache, generation
from assessment.services.indicator_totals import month_of
from assessment.services.models import Assessment, DimensionScore, utcnow


def window_start(now: datetime, months: int) -> datetime:
    """The start of the benchmark window: the first day of the month `months` months before the
    month of `now` (whole months, as the histograms count them)."""
    index = now.year * 12 + now.month - 1 - months
    return datetime(index // 12, index % 12 + 1, 1)


class Benchmarks:
    """Cohort statistics for one questionnaire version, over one window."""

    def __init__(
        self,
        session: Session,
        cache: Cache | None = None,
        window_months: int = 24,
        min_cohort: int = 5,
        include_demo: bool = False,
        now: datetime | None = None,
        registry: Registry | None = None,
    ):
        self.session = session
        self.registry = registry  # None: each version alone (no pooling)
        self.cache = cache or Cache()
        self.window_months = window_months
        self.min_cohort = min_cohort
        self.include_demo = include_demo
        self.since = window_start(now or utcnow(), window_months)
        self._generation: int | None = None

    @classmethod
    def from_config(cls, session: Session, cache: Cache, config: Mapping[str, Any],
                    registry: Registry) -> Benchmarks:  # fmt: skip
        """Cohort statistics as the app is configured: window, k threshold, demo data only in
        demo mode, comparable versions pooled."""
        return cls(
            session,
            cache=cache,
            window_months=config["BENCHMARK_WINDOW_MONTHS"],
            min_cohort=config["BENCHMARK_MIN_COHORT"],
            include_demo=config["DEMO_MODE"],
            registry=registry,
        )

    def pool(self, questionnaire_id: str, version: str) -> tuple[str, ...]:
        """The versions whose submissions a cohort of this version counts."""
        if self.registry is None:
            return (version,)
        return self.registry.pooled(questionnaire_id, version)

    def _filters(self, questionnaire_id: str, versions: tuple[str, ...], cohort: Cohort) -> list:
        filters = [
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.questionnaire_version.in_(versions),
            Assessment.is_latest.is_(True),
            Assessment.status == Status.SUBMITTED,
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

    def table(self, questionnaire_id: str, version: str, cohort: Cohort,
              ranks: Iterable[tuple[str, float | None]] = ()) -> CohortTable:  # fmt: skip
        """The statistics of the total and every dimension in a cohort (cached), over the
        versions pooled with `version`; `ranks` are the (metric, score)s whose percentile ranks
        will be asked (their bins' exact scores are loaded too)."""
        if self._generation is None:
            self._generation = generation(self.session)
        versions = self.pool(questionnaire_id, version)
        key = (questionnaire_id, versions, cohort, self.since, self.include_demo, self._generation)
        cell = histograms.cell_of(cohort)
        if cell is None:  # a combination of attributes the histograms do not keep
            return self.cache.get_or_compute(
                "cohort_table", key, lambda: self.recompute(questionnaire_id, version, cohort)
            )
        reader = histograms.Reader(self.session, questionnaire_id, versions, cell,
                                   month_of(self.since), self.include_demo)  # fmt: skip
        table = self.cache.get_or_compute("cohort_table", key, lambda: self._binned(reader, cohort))
        wanted = {(metric, b) for metric, score in ranks if metric in table.metrics
                  for b in table.metrics[metric].needed([score])}  # fmt: skip
        if not wanted:
            return table
        loaded = self.cache.get_or_compute(
            "cohort_ranks", (*key, frozenset(wanted)), lambda: reader.scores(wanted)
        )
        return _with_scores(table, loaded)

    @staticmethod
    def _binned(reader: histograms.Reader, cohort: Cohort) -> CohortTable:
        """The cohort's bins, with the exact scores of the bins its quartiles read."""
        metrics = {m: BinnedDistribution(tuple(bins)) for m, bins in reader.bins().items()}
        table = CohortTable(cohort, metrics, reader.stages())
        wanted = [(m, b) for m, dist in metrics.items() for b in dist.needed()]
        return _with_scores(table, reader.scores(wanted))

    def recompute(self, questionnaire_id: str, version: str, cohort: Cohort) -> CohortTable:
        """The exact frequency tables computed from the raw rows (not cached; linear in the
        data): what the histograms must always agree with."""
        versions = self.pool(questionnaire_id, version)
        filters = self._filters(questionnaire_id, versions, cohort)
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
        metrics = {metric: Distribution.from_counts(pairs) for metric, pairs in grouped.items()}
        stages = self.session.execute(
            select(Assessment.stage, func.count()).where(*filters).group_by(Assessment.stage)
        )
        return CohortTable(cohort, metrics, {stage: int(n) for stage, n in stages})

    def includes(self, assessment: Assessment) -> bool:
        """Whether this assessment is itself one of the cohort's data points."""
        return bool(
            assessment.is_latest
            and assessment.status == Status.SUBMITTED
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
                table = self.table(assessment.questionnaire_id, assessment.questionnaire_version,
                                   candidate, scores.items())  # fmt: skip
                if table.n - (1 if includes_self else 0) >= self.min_cohort:
                    comparison.shown, comparison.n = candidate, table.n
                    comparison.stages = dict(table.stages)
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


def _with_scores(table: CohortTable, loaded: Mapping[str, Mapping[int, list]]) -> CohortTable:
    """The table with more bins' exact scores loaded into its distributions."""
    metrics = {
        metric: dist.with_fine(loaded[metric]) if metric in loaded else dist
        for metric, dist in table.metrics.items()
    }
    return CohortTable(table.cohort, metrics, table.stages)
