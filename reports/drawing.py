"""Render the plain-shape Figures of assessment.core.charts with reportlab: the PDF's charts.

The result page draws the very same Figure objects as SVG. Figures use y growing downwards; a
reportlab Drawing has y growing upwards, so every y becomes `fig.height - y`.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from reportlab.graphics.shapes import (
    AttrMap,
    AttrMapValue,
    Drawing,
    Group,
    Polygon,
    Rect,
    String,
    isColorOrNone,
    isNumber,
)
from reportlab.graphics.shapes import Circle as RLCircle
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from assessment.core.charts.shapes import Circle, Figure, Label, Line
from assessment.core.charts.shapes import Polygon as FigPolygon
from assessment.core.charts.shapes import Rect as FigRect

ANCHORS = {"start": "start", "middle": "middle", "end": "end"}


class StrokedString(String):
    """A String drawn filled and outlined (text render mode 2): a faux bold for fonts without a
    bold face. The outline takes `strokeColor`/`strokeWidth` like any other shape."""

    _attrMap = AttrMap(
        BASE=String,
        strokeColor=AttrMapValue(isColorOrNone),
        strokeWidth=AttrMapValue(isNumber),
    )


@lru_cache(maxsize=64)
def color(value: str | None):
    """A reportlab colour from '#rrggbb' (None stays None)."""
    return None if value is None else colors.HexColor(value)


def _label(shape: Label, height: float, font: str, bold_font: str, fake_bold: bool) -> String:
    y = height - shape.y
    fill = color(shape.fill)
    if shape.bold and fake_bold:
        return StrokedString(
            shape.x,
            y,
            shape.text,
            fontName=font,
            fontSize=shape.size,
            fillColor=fill,
            textAnchor=ANCHORS.get(shape.anchor, "start"),
            textRenderMode=2,
            strokeColor=fill,
            strokeWidth=shape.size * 0.035,
        )
    return String(
        shape.x,
        y,
        shape.text,
        fontName=bold_font if shape.bold else font,
        fontSize=shape.size,
        fillColor=fill,
        textAnchor=ANCHORS.get(shape.anchor, "start"),
    )


def to_drawing(
    fig: Figure,
    font_name: str,
    bold_font_name: str | None = None,
    *,
    fake_bold: bool | None = None,
    text=None,
    trim: float | None = None,
) -> Drawing:
    """The figure as a reportlab Drawing of the same size, every label in `font_name`.

    Bold labels use `bold_font_name` when given (a real bold face); without one they are drawn
    stroked. `text`, when given, maps label text before drawing (e.g. replacing glyphs the font
    lacks). `trim`, when given, fits the drawing to its shapes with that margin: empty bands
    above and below are cut, and labels wider than the figure (long axis names) widen it
    instead of running outside it.
    """
    bold = bold_font_name or font_name
    if fake_bold is None:
        fake_bold = bold == font_name
    labels = {id(s): (s if text is None else _relabel(s, text(s.text)))
              for s in fig.shapes if isinstance(s, Label)}  # fmt: skip
    h, width, height, dx = _frame(fig, labels, font_name, trim)
    drawing = Drawing(width, height)
    drawing.initialFontName = font_name  # else the renderer selects (unused) Helvetica
    group = Group()
    if dx:
        group.translate(dx, 0)
    drawing.add(group)
    for s in fig.shapes:
        if isinstance(s, Label):
            group.add(_label(labels[id(s)], h, font_name, bold, fake_bold))
        elif (shape := _shape(s, h)) is not None:
            group.add(shape)
    return drawing


def _frame(fig: Figure, labels: dict, font_name: str, trim: float | None) -> tuple[float, ...]:
    """(h, width, height, dx): the figure's y flip (y_rl = h - y), the drawing's size, and how
    far right the shapes move; with `trim`, fitted to the shapes with that margin."""
    if trim is None or not fig.shapes:
        return fig.height, fig.width, fig.height, 0.0
    left, top, right, bottom = _extent(fig, labels, font_name)
    h = min(fig.height, bottom + trim)  # the lowest shape sits `trim` up
    dx = max(0.0, trim - left)
    return h, max(fig.width, right + trim) + dx, h - max(0.0, top - trim), dx


def _shape(s, h: float):
    """A line, polygon, rectangle or circle of a figure as a reportlab shape (else None)."""
    if isinstance(s, Line):
        dash = list(s.dash) if s.dash else None
        return RLLine(s.x1, h - s.y1, s.x2, h - s.y2, strokeColor=color(s.stroke),
                      strokeWidth=s.width, strokeDashArray=dash)  # fmt: skip
    if isinstance(s, FigPolygon):
        polygon = Polygon(
            [c for x, y in s.points for c in (x, h - y)],
            strokeColor=color(s.stroke),
            strokeWidth=s.width,
            strokeDashArray=list(s.dash) if s.dash else None,
            fillColor=color(s.fill),
            strokeLineJoin=1,
        )
        if s.fill:
            polygon.fillOpacity = s.fill_opacity
        return polygon
    if isinstance(s, FigRect):
        return Rect(s.x, h - s.y - s.h, s.w, s.h, fillColor=color(s.fill),
                    strokeColor=color(s.stroke), strokeWidth=0.5 if s.stroke else 0)  # fmt: skip
    if isinstance(s, Circle):
        return RLCircle(s.cx, h - s.cy, s.r, fillColor=color(s.fill), strokeColor=color(s.stroke))
    return None


def _extent(fig: Figure, labels: dict, font_name: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in figure coordinates over every shape, label text included."""
    xs: list[float] = []
    ys: list[float] = []
    for s in fig.shapes:
        if isinstance(s, Line):
            xs += [s.x1, s.x2]
            ys += [s.y1, s.y2]
        elif isinstance(s, FigPolygon):
            xs += [x for x, _ in s.points]
            ys += [y for _, y in s.points]
        elif isinstance(s, FigRect):
            xs += [s.x, s.x + s.w]
            ys += [s.y, s.y + s.h]
        elif isinstance(s, Circle):
            xs += [s.cx - s.r, s.cx + s.r]
            ys += [s.cy - s.r, s.cy + s.r]
        elif isinstance(s, Label):
            w = stringWidth(labels[id(s)].text, font_name, s.size)
            start = {"start": s.x, "middle": s.x - w / 2, "end": s.x - w}.get(s.anchor, s.x)
            xs += [start, start + w]
            ys += [s.y - s.size, s.y + s.size * 0.25]
    return min(xs), min(ys), max(xs), max(ys)


def _relabel(shape: Label, new_text: str) -> Label:
    return replace(shape, text=new_text)
