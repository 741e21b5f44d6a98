"""Render the plain-shape Figures of assessment.charts with reportlab graphics (the PDF's charts).

The result page draws the very same Figure objects as SVG. Figures use y growing downwards; a
reportlab Drawing has y growing upwards, so every y becomes `fig.height - y`.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.graphics.shapes import (
    AttrMap,
    AttrMapValue,
    Drawing,
    Polygon,
    Rect,
    String,
    isColorOrNone,
    isNumber,
)
from reportlab.graphics.shapes import Circle as RLCircle
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors

from assessment.charts import Circle, Figure, Label, Line
from assessment.charts import Polygon as FigPolygon
from assessment.charts import Rect as FigRect

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
    lacks). `trim`, when given, cuts the empty space above and below the shapes down to that
    many points (the width is kept).
    """
    bold = bold_font_name or font_name
    if fake_bold is None:
        fake_bold = bold == font_name
    h = fig.height
    drawing = Drawing(fig.width, fig.height)
    if trim is not None and fig.shapes:
        top, bottom = _extent(fig)
        h = min(fig.height, bottom + trim)  # y_rl = h - y: the lowest shape sits `trim` up
        drawing = Drawing(fig.width, h - max(0.0, top - trim))
    for s in fig.shapes:
        if isinstance(s, Line):
            drawing.add(
                RLLine(
                    s.x1,
                    h - s.y1,
                    s.x2,
                    h - s.y2,
                    strokeColor=color(s.stroke),
                    strokeWidth=s.width,
                    strokeDashArray=list(s.dash) if s.dash else None,
                )
            )
        elif isinstance(s, FigPolygon):
            points = [c for x, y in s.points for c in (x, h - y)]
            polygon = Polygon(
                points,
                strokeColor=color(s.stroke),
                strokeWidth=s.width,
                strokeDashArray=list(s.dash) if s.dash else None,
                fillColor=color(s.fill),
                strokeLineJoin=1,
            )
            if s.fill:
                polygon.fillOpacity = s.fill_opacity
            drawing.add(polygon)
        elif isinstance(s, FigRect):
            drawing.add(
                Rect(
                    s.x,
                    h - s.y - s.h,
                    s.w,
                    s.h,
                    fillColor=color(s.fill),
                    strokeColor=color(s.stroke),
                    strokeWidth=0.5 if s.stroke else 0,
                )
            )
        elif isinstance(s, Circle):
            drawing.add(
                RLCircle(
                    s.cx,
                    h - s.cy,
                    s.r,
                    fillColor=color(s.fill),
                    strokeColor=color(s.stroke),
                )
            )
        elif isinstance(s, Label):
            label = s if text is None else _relabel(s, text(s.text))
            drawing.add(_label(label, h, font_name, bold, fake_bold))
    return drawing


def _extent(fig: Figure) -> tuple[float, float]:
    """The smallest and largest y (figure coordinates) any shape reaches, labels included."""
    ys: list[float] = []
    for s in fig.shapes:
        if isinstance(s, Line):
            ys += [s.y1, s.y2]
        elif isinstance(s, FigPolygon):
            ys += [y for _, y in s.points]
        elif isinstance(s, FigRect):
            ys += [s.y, s.y + s.h]
        elif isinstance(s, Circle):
            ys += [s.cy - s.r, s.cy + s.r]
        elif isinstance(s, Label):
            ys += [s.y - s.size, s.y + s.size * 0.25]
    return min(ys), max(ys)


def _relabel(shape: Label, new_text: str) -> Label:
    from dataclasses import replace

    return replace(shape, text=new_text)
