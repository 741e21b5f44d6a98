"""A cohort's scores as whole-point bins, with the exact scores of only the bins that matter. Pure.

`services/histograms.py` keeps, per cohort, how many latest assessments score in each whole-point
bin (0..100) with the sum of their scores, and how many have each exact score, counted in
thousandths (`UNITS`): dimension scores and weighted totals are stored to 2 decimals
(`core/scoring.py`), exact-points totals add authored points of at most 3 decimals. The bins give n and the exact mean and locate any rank;
the exact scores of a few bins — those holding the quartiles' order statistics and the
enterprise's own score — give the same quartiles and percentile ranks as the full frequency table
(`cohorts.Distribution`), because both interpolate between the very same order statistics.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assessment.core.cohorts import Ranked

QUANTILES = (0.25, 0.5, 0.75)  # what `Ranked.stats` asks for
UNITS = 1000  # scores are counted as integer thousandths: exact sums, exact equality


def bin_of(score: float) -> int:
    """The whole-point bin of a score (the bin of h thousandths is h // UNITS)."""
    return math.floor(score)


@dataclass(frozen=True)
class BinnedDistribution(Ranked):
    """One metric in one cohort: (bin, count, sum in thousandths) per non-empty bin, ascending,
    and the (thousandths, count) pairs, ascending, of the bins loaded so far."""

    bins: tuple[tuple[int, int, int], ...]
    fine: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    _cumulative: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        running, cumulative = 0, []
        for _bin, count, _sum in self.bins:
            running += count
            cumulative.append(running)
        object.__setattr__(self, "_cumulative", tuple(cumulative))

    @property
    def n(self) -> int:
        """How many enterprises have this metric."""
        return self._cumulative[-1] if self._cumulative else 0

    def _sum(self) -> float:
        return sum(total for _bin, _n, total in self.bins) / UNITS

    def _position(self, index: int) -> tuple[int, int]:
        """(bin, 0-based position inside it) of the order statistic at `index`."""
        i = bisect.bisect_right(self._cumulative, index)
        return self.bins[i][0], index - (self._cumulative[i - 1] if i else 0)

    def _value_at(self, index: int) -> float:
        bin_, offset = self._position(index)
        for units, count in self._loaded(bin_):
            if offset < count:
                return units / UNITS
            offset -= count
        raise ValueError(f"bin {bin_} holds fewer scores than its count")

    def _loaded(self, bin_: int) -> tuple[tuple[int, int], ...]:
        if bin_ not in self.fine:
            raise LookupError(f"the exact scores of bin {bin_} were not loaded")
        return self.fine[bin_]

    def _below_and_equal(self, score: float) -> tuple[int, int]:
        target = bin_of(score)
        i = bisect.bisect_left([b for b, _n, _s in self.bins], target)
        below = self._cumulative[i - 1] if i else 0
        if i == len(self.bins) or self.bins[i][0] != target:
            return below, 0  # nobody in the score's bin
        equal = 0
        for units, count in self._loaded(target):
            value = units / UNITS  # the very float the score column holds
            if value < score:
                below += count
            elif value == score:
                equal += count
        return below, equal

    def needed(self, scores: Iterable[float | None] = ()) -> set[int]:
        """The bins whose exact scores `stats()` and the percentile ranks of `scores` read, less
        those loaded already (empty bins are never needed)."""
        wanted = set()
        if self.n:
            for p in QUANTILES:
                position = (self.n - 1) * p
                low = int(position)
                wanted.add(self._position(low)[0])
                if position > low:
                    wanted.add(self._position(low + 1)[0])
        present = {b for b, _n, _s in self.bins}
        wanted |= {bin_of(s) for s in scores if s is not None and bin_of(s) in present}
        return wanted - set(self.fine)

    def with_fine(self, rows: Mapping[int, Iterable[tuple[int, int]]]) -> BinnedDistribution:
        """The same distribution with more bins' exact scores loaded ((thousandths, count) pairs;
        sorted here)."""
        fine = dict(self.fine)
        fine.update({b: tuple(sorted(pairs)) for b, pairs in rows.items()})
        return BinnedDistribution(self.bins, fine)
