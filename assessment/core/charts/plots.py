"""Plot builders: data in, a Figure of plain shapes out (no text is translated here; callers pass
the texts, see `texts`)."""

from __future__ import annotations

import math

from assessment.core.charts.shapes import (
    PALETTE,
    STAGE_COLORS,
    BandRow,
    Circle,
    Figure,
    Label,
    Line,
    Polygon,
    Rect,
    Series,
)


def radar(axes: list[str], series: list[Series], size: float = 320, title: str = "") -> Figure:
    """A spider chart on a fixed 0–100 scale with grid rings at 20, 40, 60, 80, 100 and a legend.

    A value of None (no score) is drawn at the centre and its axis label says so by the caller.
    """
    n = len(axes)
    cx, cy, radius = size / 2, size / 2, size / 2 - 62
    # The legend sits just under the lowest axis label (a pentagon leaves the bottom empty).
    lowest = max(
        cy + radius * 1.18 * math.sin(-math.pi / 2 + 2 * math.pi * i / n) for i in range(n)
    )
    legend_top = lowest + 16
    fig = Figure(size, legend_top + 18 * math.ceil(len(series) / 3) + 4, title=title)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(100.0, value)) / 100
        return (round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2))

    for ring in (20, 40, 60, 80, 100):
        fig.shapes.append(
            Polygon(tuple(point(i, ring) for i in range(n)), PALETTE["grid"], width=0.8)
        )
        fig.shapes.append(
            Label(cx + 3, point(0, ring)[1] + 3, str(ring), 7, "start", PALETTE["muted"])
        )
    for i, name in enumerate(axes):
        x, y = point(i, 100)
        fig.shapes.append(Line(cx, cy, x, y, PALETTE["grid"], 0.8))
        lx, ly = point(i, 118)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        fig.shapes.append(Label(lx, ly + 3, name, 9, anchor, PALETTE["text"], bold=True))
    for s in series:
        pts = tuple(point(i, v if v is not None else 0) for i, v in enumerate(s.values))
        fig.shapes.append(
            Polygon(pts, s.color, s.color if s.filled else None, 0.18 if s.filled else 0, 2, s.dash)
        )
        for x, y in pts:
            fig.shapes.append(Circle(x, y, 2.6, s.color))
    _legend(fig, series, legend_top)
    return fig


def _legend(fig: Figure, series: list[Series], top: float) -> None:
    per_row = 3
    col_w = fig.width / per_row
    for i, s in enumerate(series):
        x = (i % per_row) * col_w + 10
        y = top + 18 * (i // per_row) + 6
        fig.shapes.append(Line(x, y, x + 18, y, s.color, 2.5, s.dash))
        fig.shapes.append(Label(x + 24, y + 3.5, s.name, 9, "start"))


def band_bars(
    rows: list[BandRow],
    width: float = 520,
    legend: tuple[str, str, str] = ("", "", ""),
    title: str = "",
) -> Figure:
    """One row per dimension: the enterprise's bar over the peers' P25–P75 band and median tick.

    `legend` names (enterprise, P25–P75 band, median).
    """
    label_w, value_w, row_h, top = 150, 40, 26, 22
    scale_w = width - label_w - value_w - 10
    fig = Figure(width, top + row_h * len(rows) + 30, title=title)
    x0 = label_w
    for tick in (0, 20, 40, 60, 80, 100):
        x = x0 + scale_w * tick / 100
        fig.shapes.append(Line(x, top - 4, x, top + row_h * len(rows), PALETTE["grid"], 0.6))
        fig.shapes.append(Label(x, top - 8, str(tick), 7, "middle", PALETTE["muted"]))
    for i, row in enumerate(rows):
        y = top + i * row_h
        fig.shapes.append(Label(label_w - 8, y + row_h / 2 + 3, row.label, 9, "end"))
        if row.p25 is not None and row.p75 is not None:
            fig.shapes.append(
                Rect(
                    x0 + scale_w * row.p25 / 100,
                    y + 4,
                    max(1.5, scale_w * (row.p75 - row.p25) / 100),
                    row_h - 8,
                    PALETTE["band"],
                )
            )
        if row.value is not None:
            fig.shapes.append(
                Rect(x0, y + row_h / 2 - 4, scale_w * row.value / 100, 8, PALETTE["me"])
            )
            fig.shapes.append(
                Label(width - 6, y + row_h / 2 + 3, f"{row.value:.1f}", 9, "end", bold=True)
            )
        else:
            fig.shapes.append(Label(width - 6, y + row_h / 2 + 3, "—", 9, "end"))
        if row.median is not None:
            mx = x0 + scale_w * row.median / 100
            fig.shapes.append(Line(mx, y + 2, mx, y + row_h - 2, PALETTE["median"], 2))
    ly = top + row_h * len(rows) + 16
    fig.shapes.append(Rect(x0, ly - 6, 18, 8, PALETTE["me"]))
    fig.shapes.append(Label(x0 + 24, ly + 1, legend[0], 8, "start"))
    fig.shapes.append(Rect(x0 + 130, ly - 7, 18, 10, PALETTE["band"]))
    fig.shapes.append(Label(x0 + 154, ly + 1, legend[1], 8, "start"))
    fig.shapes.append(Line(x0 + 300, ly - 8, x0 + 300, ly + 4, PALETTE["median"], 2))
    fig.shapes.append(Label(x0 + 306, ly + 1, legend[2], 8, "start"))
    return fig


def column_chart(
    labels: list[str],
    values: list[float],
    width: float = 520,
    height: float = 200,
    title: str = "",
    color: str = PALETTE["me"],
    value_format: str = "{:g}",
) -> Figure:
    """Vertical bars with their values on top (e.g. a score histogram)."""
    fig = Figure(width, height, title=title)
    left, bottom, top = 8, height - 22, 16
    slot = (width - 2 * left) / max(1, len(values))
    peak = max(values, default=0) or 1
    fig.shapes.append(Line(left, bottom, width - left, bottom, PALETTE["grid"], 1))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (bottom - top) * value / peak
        x = left + i * slot + slot * 0.15
        fig.shapes.append(Rect(x, bottom - h, slot * 0.7, h, color))
        fig.shapes.append(Label(x + slot * 0.35, bottom - h - 4, value_format.format(value), 8))
        fig.shapes.append(Label(x + slot * 0.35, bottom + 13, label, 8, "middle", PALETTE["muted"]))
    return fig


def line_chart(
    labels: list[str],
    values: list[float],
    width: float = 520,
    height: float = 200,
    title: str = "",
    low: float = 0,
    high: float = 100,
) -> Figure:
    """A line over categories (e.g. the mean score by quarter) on a fixed vertical scale."""
    fig = Figure(width, height, title=title)
    left, right, bottom, top = 34, 30, height - 24, 12
    for tick in range(int(low), int(high) + 1, 20 if high - low >= 60 else 10):
        y = bottom - (bottom - top) * (tick - low) / (high - low)
        fig.shapes.append(Line(left, y, width - right, y, PALETTE["grid"], 0.6))
        fig.shapes.append(Label(left - 5, y + 3, str(tick), 8, "end", PALETTE["muted"]))
    n = len(values)
    inset = 18  # keeps the first value's label clear of the axis labels
    step = (width - left - right - 2 * inset) / max(1, n - 1) if n > 1 else 0
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + (inset + i * step if n > 1 else (width - left - right) / 2)
        y = bottom - (bottom - top) * (value - low) / (high - low)
        points.append((round(x, 2), round(y, 2)))
        fig.shapes.append(Label(x, bottom + 15, label, 8, "middle", PALETTE["muted"]))
        fig.shapes.append(Label(x, y - 7, f"{value:.1f}", 8))
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        fig.shapes.append(Line(x1, y1, x2, y2, PALETTE["me"], 2))
    for x, y in points:
        fig.shapes.append(Circle(x, y, 3, PALETTE["me"]))
    return fig


def share_bar(parts: list[tuple[str, float]], width: float = 520, title: str = "") -> Figure:
    """One horizontal bar split into shares (0–1), e.g. the stage distribution, with a legend."""
    fig = Figure(width, 58, title=title)
    x = 0.0
    for i, (_label, share) in enumerate(parts):
        w = width * share
        color = STAGE_COLORS[i % len(STAGE_COLORS)]
        fig.shapes.append(Rect(x, 4, w, 22, color))
        if w > 34:
            fill = "#ffffff" if i >= 2 else PALETTE["text"]
            fig.shapes.append(Label(x + w / 2, 19, f"{share * 100:.0f}%", 9, "middle", fill, True))
        x += w
    slot = width / max(1, len(parts))
    for i, (label, _share) in enumerate(parts):
        lx = i * slot
        fig.shapes.append(Rect(lx, 38, 10, 10, STAGE_COLORS[i % len(STAGE_COLORS)]))
        fig.shapes.append(Label(lx + 14, 47, label, 9, "start"))
    return fig
