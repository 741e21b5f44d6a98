"""Cohort statistics as plain values: where an enterprise stands among its Cixi peers. Pure.

A cohort's scores arrive as an exact frequency table per metric (scores are stored to 2 decimals,
so the table is small); n, mean, median, P25, P75 and any score's percentile rank follow exactly
from it. `assessment.services.benchmarks` builds the tables with one SQL query per cohort.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

TOTAL = "_total"  # the metric name of the total score (ids cannot start with "_")
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


class Ranked(ABC):
    """Statistics of one metric in one cohort from its order statistics; subclasses say how many
    scores there are, their sum, the i-th smallest and how many lie below and at a score."""

    @property
    @abstractmethod
    def n(self) -> int:
        """How many enterprises have this metric."""

    @abstractmethod
    def _sum(self) -> float:
        """The sum of all scores."""

    @abstractmethod
    def _value_at(self, index: int) -> float:
        """The score at 0-based `index` in ascending order."""

    @abstractmethod
    def _below_and_equal(self, score: float) -> tuple[int, int]:
        """How many scores lie below `score`, and how many equal it."""

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
            self._sum() / self.n,
            self.quantile(0.5),
            self.quantile(0.25),
            self.quantile(0.75),
        )

    def percentile_rank(self, score: float, includes_self: bool) -> float | None:
        """The share (0–100) of *other* enterprises scoring below `score`, ties counting half.

        None when there is nobody else to compare with.
        """
        below, equal = self._below_and_equal(score)
        others = self.n - (1 if includes_self else 0)
        if includes_self:
            equal -= 1
        if others <= 0:
            return None
        return 100.0 * (below + 0.5 * max(equal, 0)) / others


@dataclass(frozen=True)
class Distribution(Ranked):
    """The exact frequency table of one metric in one cohort."""

    values: tuple[float, ...]  # distinct scores, ascending
    cumulative: tuple[int, ...]  # how many scores are ≤ values[i]
    total: float  # the sum of all scores

    @classmethod
    def from_counts(cls, pairs: list[tuple[float, int]]) -> Distribution:
        """The table of (score, count) pairs given in ascending score order."""
        running, cumulative = 0, []
        for _score, count in pairs:
            running += count
            cumulative.append(running)
        return cls(tuple(s for s, _ in pairs), tuple(cumulative), sum(s * c for s, c in pairs))

    @property
    def n(self) -> int:
        """How many enterprises have this metric."""
        return self.cumulative[-1] if self.cumulative else 0

    def _sum(self) -> float:
        return self.total

    def _value_at(self, index: int) -> float:
        return self.values[bisect.bisect_right(self.cumulative, index)]

    def _below_and_equal(self, score: float) -> tuple[int, int]:
        index = bisect.bisect_left(self.values, score)
        below = self.cumulative[index - 1] if index > 0 else 0
        at = bisect.bisect_right(self.values, score)
        return below, (self.cumulative[at - 1] if at > 0 else 0) - below


@dataclass(frozen=True)
class CohortTable:
    cohort: Cohort
    metrics: dict[str, Ranked]  # a Distribution, or a BinnedDistribution (core/binned.py)
    stages: dict[str, int] = field(default_factory=dict)  # stage / level id → enterprises

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
    stages: dict[str, int] = field(default_factory=dict)  # how many peers reached each stage

    @property
    def fell_back(self) -> bool:
        """True when a wider cohort is shown instead of the requested one."""
        return self.shown is not None and self.shown != self.requested
