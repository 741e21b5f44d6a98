"""The result page's charts as inline SVG (the PDF draws the same figures with reportlab)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from assessment.core.charts import to_svg
from assessment.core.result_charts import chart_labels, result_figures
from assessment.core.result_view import ResultView


def chart_svgs(view: ResultView, lang: str) -> dict[str, Markup]:
    """The figures as inline SVG for the page."""
    return {
        name: Markup(to_svg(fig))
        for name, fig in result_figures(view, lang, chart_labels(_)).items()
    }
