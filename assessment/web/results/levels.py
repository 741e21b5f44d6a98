"""What the MIIT layout of the result page needs besides the `LevelView`: exact numbers as text
and the peers' level distribution per cohort."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assessment.core.cohorts import TOTAL, Comparison
from assessment.core.levels import exact, plain
from assessment.core.questionnaire.model import Level
from assessment.core.result_view import ResultView

# The peer groups whose level distribution the page shows (industry and size together would
# mostly be suppressed, and the score table already covers it).
LEVEL_COHORTS = ("city", "industry", "town", "size")


def number(value: Decimal | float | int | None) -> str:
    """An exact score or point figure without trailing zeros ("35.575", "40"); never a float
    rounding (39.999 stays 39.999). '—' for None."""
    return "—" if value is None else plain(exact(value))


def change(after: Decimal | float, before: Decimal | float) -> str:
    """The exact change from `before` to `after`, signed: "+11.875", "-2.5", "0"."""
    value = exact(after) - exact(before)
    return f"+{plain(value)}" if value > 0 else plain(value)


@dataclass(frozen=True)
class LevelShare:
    level: Level
    count: int
    share: float  # 0–100


@dataclass(frozen=True)
class LevelPeers:
    """One peer group's level distribution and where the enterprise's S ranks in it."""

    kind: str
    comparison: Comparison
    shares: tuple[LevelShare, ...]  # empty when the group is not shown
    percentile: float | None


def level_peers(view: ResultView) -> list[LevelPeers]:
    """The level distribution (count and share at each level) of each peer group, suppressed
    (no shares) exactly when the score table suppresses the group."""
    out = []
    for kind in LEVEL_COHORTS:
        c = view.comparisons[kind]
        shares: tuple[LevelShare, ...] = ()
        if c.shown and c.n:
            shares = tuple(
                LevelShare(lv, c.stages.get(lv.id, 0), 100.0 * c.stages.get(lv.id, 0) / c.n)
                for lv in view.questionnaire.levels
            )
        out.append(LevelPeers(kind, c, shares, c.percentile.get(TOTAL) if c.shown else None))
    return out
