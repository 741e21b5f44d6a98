"""A Figure as inline SVG markup, for pages (the PDF draws the same Figure with reportlab)."""

from __future__ import annotations

from html import escape

from assessment.core.charts.shapes import Circle, Figure, Label, Line, Polygon, Rect


def _dash(dash: tuple[float, ...]) -> str:
    return f' stroke-dasharray="{",".join(str(d) for d in dash)}"' if dash else ""


def _shape(s) -> str:
    if isinstance(s, Line):
        return (
            f'<line x1="{s.x1:g}" y1="{s.y1:g}" x2="{s.x2:g}" y2="{s.y2:g}" '
            f'stroke="{s.stroke}" stroke-width="{s.width:g}"{_dash(s.dash)}/>'
        )
    if isinstance(s, Polygon):
        pts = " ".join(f"{x:g},{y:g}" for x, y in s.points)
        fill = f'fill="{s.fill}" fill-opacity="{s.fill_opacity:g}"' if s.fill else 'fill="none"'
        return (
            f'<polygon points="{pts}" {fill} stroke="{s.stroke}" '
            f'stroke-width="{s.width:g}"{_dash(s.dash)}/>'
        )
    if isinstance(s, Rect):
        stroke = f' stroke="{s.stroke}"' if s.stroke else ""
        return (
            f'<rect x="{s.x:g}" y="{s.y:g}" width="{s.w:g}" height="{s.h:g}" '
            f'fill="{s.fill}"{stroke}/>'
        )
    if isinstance(s, Circle):
        return f'<circle cx="{s.cx:g}" cy="{s.cy:g}" r="{s.r:g}" fill="{s.fill}"/>'
    if isinstance(s, Label):
        weight = ' font-weight="700"' if s.bold else ""
        return (
            f'<text x="{s.x:g}" y="{s.y:g}" font-size="{s.size:g}" text-anchor="{s.anchor}" '
            f'fill="{s.fill}"{weight}>{escape(s.text)}</text>'
        )
    return ""  # an unknown shape is left out rather than breaking the page


def to_svg(fig: Figure, css_class: str = "chart") -> str:
    """The figure as inline SVG markup (text escaped), accessible through its title."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {fig.width:g} '
        f'{fig.height:g}" width="{fig.width:g}" height="{fig.height:g}" role="img"'
        f' aria-label="{escape(fig.title)}" font-family="sans-serif">'
        f"<title>{escape(fig.title)}</title>"
    )
    return "".join([head, *(_shape(s) for s in fig.shapes), "</svg>"])
