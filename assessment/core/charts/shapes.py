"""The plain shapes a chart is made of, drawn once and rendered twice: SVG for pages (`svg`),
reportlab for the PDF (`reports.drawing`).

Coordinates are in points with y growing downwards (SVG's convention); the reportlab renderer
flips them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = {"me": "#0b5cab", "city": "#6b7785", "industry": "#d97706", "grid": "#d5dbe3",
           "band": "#c9dcf2", "median": "#1f2933", "text": "#33404d", "muted": "#5f6b7a"}  # fmt: skip

# Light to dark: the stages of a maturity ladder, lowest first.
STAGE_COLORS = ("#c9d3df", "#8fb3dc", "#4f86c6", "#0b5cab", "#06386b")


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    stroke: str
    fill: str | None = None
    fill_opacity: float = 0.0
    width: float = 1.5
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: float = 9
    anchor: str = "middle"  # start | middle | end
    fill: str = PALETTE["text"]
    bold: bool = False


@dataclass
class Figure:
    """A chart: its size, its shapes in drawing order, and a title for screen readers."""

    width: float
    height: float
    shapes: list = field(default_factory=list)
    title: str = ""


@dataclass(frozen=True)
class Series:
    """One named line of values (None: no value) in a chart with a legend."""

    name: str
    values: tuple[float | None, ...]
    color: str
    filled: bool = False
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class BandRow:
    """One row of band bars: the enterprise's value against its peers' quartiles."""

    label: str
    value: float | None  # the enterprise
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
