"""The result page's charts (the PDF draws the same figures with reportlab)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from ...charts import PALETTE, BandRow, Series, band_bars, radar, to_svg
from ...services.results import ResultView


def figures(view: ResultView, lang: str, labels: dict[str, str]) -> dict:
    """Radar (enterprise vs city vs industry means) and band bars against the industry cohort."""
    dims = view.questionnaire.dimensions
    axes = [d.title.get(lang) for d in dims]
    mine = tuple(view.result.dimensions[d.id].score for d in dims)
    series = [Series(labels["me"], mine, PALETTE["me"], filled=True)]
    city, industry = view.comparisons["city"], view.comparisons["industry"]
    if city.shown:
        series.append(Series(labels["city"], tuple(_mean(city, d.id) for d in dims), PALETTE["city"],
                             dash=(5, 3)))  # fmt: skip
    if industry.shown and industry.shown.kind != "city":
        series.append(Series(labels["industry"], tuple(_mean(industry, d.id) for d in dims),
                             PALETTE["industry"]))  # fmt: skip
    out = {"radar": radar(axes, series, size=360, title=labels["radar_title"])}
    peers = industry if industry.shown else city
    if peers.shown:
        rows = [
            BandRow(d.title.get(lang), view.result.dimensions[d.id].score,
                    *_band(peers, d.id))
            for d in dims
        ]  # fmt: skip
        out["bands"] = band_bars(rows, legend=(labels["me"], labels["band"], labels["median"]),
                                 title=labels["bands_title"])  # fmt: skip
    return out


def _mean(comparison, metric):
    stats = comparison.stats.get(metric)
    return stats.mean if stats else None


def _band(comparison, metric):
    stats = comparison.stats.get(metric)
    return (stats.p25, stats.median, stats.p75) if stats else (None, None, None)


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
    return {name: Markup(to_svg(fig)) for name, fig in figures(view, lang, chart_labels()).items()}
