"""The result page's charts as inline SVG (the PDF draws the same figures with reportlab)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from ...charts import to_svg
from ...result_charts import result_figures
from ...services.results import ResultView


def chart_labels() -> dict[str, str]:
    """Chart texts in the current language."""
    return {
        "me": _("Your enterprise"),
        "city": _("Cixi average"),
        "industry": _("Industry average"),
        "band": _("Peers P25–P75"),
        "median": _("Peer median"),
        "radar_title": _(
            "Dimension scores: your enterprise against Cixi and your industry (0–100)"
        ),
        "bands_title": _("Your dimension scores against the middle half of your peers"),
    }


def chart_svgs(view: ResultView, lang: str) -> dict[str, Markup]:
    """The figures as inline SVG for the page."""
    return {
        name: Markup(to_svg(fig))
        for name, fig in result_figures(view, lang, chart_labels()).items()
    }
