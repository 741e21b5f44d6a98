"""The figures of one result, shared by the result page and the PDF: the radar against the city
and industry means, and band bars against the peers' middle half."""

from __future__ import annotations

from assessment.core.charts.plots import band_bars, radar
from assessment.core.charts.shapes import PALETTE, BandRow, Figure, Series
from assessment.core.cohorts import Comparison
from assessment.core.result_view import DimensionView, ResultView


def peers_of(view: ResultView) -> Comparison:
    """The cohort the bands compare with: the industry, or the city when the industry is too
    small to be shown on its own."""
    industry = view.comparisons["industry"]
    return industry if industry.shown else view.comparisons["city"]


def result_figures(view: ResultView, lang: str, texts: dict[str, str]) -> dict[str, Figure]:
    """Radar (enterprise vs city vs industry means, fixed 0–100) and, when peers are shown, band
    bars of every dimension. `texts` comes from `chart_texts`."""
    dims = view.questionnaire.dimensions
    axes = [d.title.get(lang) for d in dims]
    mine = tuple(view.result.dimensions[d.id].score for d in dims)
    series = [Series(texts["me"], mine, PALETTE["me"], filled=True)]
    city, industry = view.comparisons["city"], view.comparisons["industry"]
    if city.shown:
        means = tuple(_mean(city, d.id) for d in dims)
        series.append(Series(texts["city"], means, PALETTE["city"], dash=(5, 3)))
    if industry.shown and industry.shown.kind != "city":
        means = tuple(_mean(industry, d.id) for d in dims)
        series.append(Series(texts["industry"], means, PALETTE["industry"]))
    out = {"radar": radar(axes, series, size=360, title=texts["radar_title"])}
    peers = peers_of(view)
    if peers.shown:
        rows = [
            BandRow(d.title.get(lang), view.result.dimensions[d.id].score, *_band(peers, d.id))
            for d in dims
        ]
        out["bands"] = band_bars(rows, legend=_legend(texts), title=texts["bands_title"])
    return out


def dimension_bands(
    view: ResultView, item: DimensionView, lang: str, texts: dict[str, str]
) -> Figure | None:
    """One dimension's band bar against its peers (the PDF's dimension sections), or None when
    no peers are shown. The width is the page's; the PDF scales it to its column."""
    peers = peers_of(view)
    if not peers.shown:
        return None
    row = BandRow(item.dimension.title.get(lang), item.score, *_band(peers, item.dimension.id))
    return band_bars([row], legend=_legend(texts))


def _legend(texts: dict[str, str]) -> tuple[str, str, str]:
    return (texts["me"], texts["band"], texts["median"])


def _mean(comparison: Comparison, metric: str) -> float | None:
    stats = comparison.stats.get(metric)
    return stats.mean if stats else None


def _band(comparison: Comparison, metric: str) -> tuple[float | None, ...]:
    stats = comparison.stats.get(metric)
    return (stats.p25, stats.median, stats.p75) if stats else (None, None, None)
