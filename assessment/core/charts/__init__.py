"""Charts as plain shapes, drawn once and rendered twice: SVG for pages, reportlab for the PDF.

`shapes` holds the shapes and the Figure, `plots` the generic builders, `result_figures`,
`dashboard_figures` and `progress_figures` the product's figures, `texts` every text they show,
`svg` the page renderer. No Flask, no reportlab here.
"""

from assessment.core.charts.dashboard_figures import (
    dashboard_figures,
    history_line,
    score_histogram,
)
from assessment.core.charts.plots import band_bars, column_chart, line_chart, radar, share_bar
from assessment.core.charts.progress_figures import progress_bars
from assessment.core.charts.result_figures import dimension_bands, peers_of, result_figures
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
from assessment.core.charts.svg import to_svg
from assessment.core.charts.texts import CHART_TEXTS, chart_texts

__all__ = [
    "CHART_TEXTS",
    "PALETTE",
    "STAGE_COLORS",
    "BandRow",
    "Circle",
    "Figure",
    "Label",
    "Line",
    "Polygon",
    "Rect",
    "Series",
    "band_bars",
    "chart_texts",
    "column_chart",
    "dashboard_figures",
    "dimension_bands",
    "history_line",
    "line_chart",
    "peers_of",
    "progress_bars",
    "radar",
    "result_figures",
    "score_histogram",
    "share_bar",
    "to_svg",
]
