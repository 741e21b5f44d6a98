"""The figures of a result (radar, band bars), shared by the result page and the PDF. No Flask."""

from __future__ import annotations

from assessment.core.charts import PALETTE, BandRow, Figure, Series, band_bars, radar
from assessment.core.result_view import ResultView
from assessment.core.text import N_

CHART_TEXTS = {
    "me": N_("Your enterprise"),
    "city": N_("Cixi average"),
    "industry": N_("Industry average"),
    "band": N_("Peers P25–P75"),
    "median": N_("Peer median"),
    "radar_title": N_("Dimension scores: your enterprise against Cixi and your industry (0–100)"),
    "bands_title": N_("Your dimension scores against the middle half of your peers"),
}


def chart_labels(gettext) -> dict[str, str]:
    """The chart texts translated with the caller's `gettext` (page: Flask-Babel; PDF: its own)."""
    return {key: gettext(message) for key, message in CHART_TEXTS.items()}


def result_figures(view: ResultView, lang: str, labels: dict[str, str]) -> dict[str, Figure]:
    """Radar (enterprise vs city vs industry means, fixed 0–100) and band bars against the
    industry cohort (or the city when the industry is too small). `labels` comes from `chart_labels`."""
    dims = view.questionnaire.dimensions
    axes = [d.title.get(lang) for d in dims]
    mine = tuple(view.result.dimensions[d.id].score for d in dims)
    series = [Series(labels["me"], mine, PALETTE["me"], filled=True)]
    city, industry = view.comparisons["city"], view.comparisons["industry"]
    if city.shown:
        series.append(
            Series(
                labels["city"], tuple(_mean(city, d.id) for d in dims), PALETTE["city"], dash=(5, 3)
            )
        )
    if industry.shown and industry.shown.kind != "city":
        series.append(
            Series(
                labels["industry"], tuple(_mean(industry, d.id) for d in dims), PALETTE["industry"]
            )
        )
    out = {"radar": radar(axes, series, size=360, title=labels["radar_title"])}
    peers = industry if industry.shown else city
    if peers.shown:
        rows = [
            BandRow(d.title.get(lang), view.result.dimensions[d.id].score, *_band(peers, d.id))
            for d in dims
        ]
        out["bands"] = band_bars(
            rows,
            legend=(labels["me"], labels["band"], labels["median"]),
            title=labels["bands_title"],
        )
    return out


def _mean(comparison, metric):
    stats = comparison.stats.get(metric)
    return stats.mean if stats else None


def _band(comparison, metric):
    stats = comparison.stats.get(metric)
    return (stats.p25, stats.median, stats.p75) if stats else (None, None, None)
