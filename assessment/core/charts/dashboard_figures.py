"""The bureau's figures: stage shares, score histogram and quarterly trend of a dashboard, and one
enterprise's total score over its assessments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from assessment.core.charts.plots import column_chart, line_chart, share_bar
from assessment.core.charts.shapes import Figure
from assessment.core.questionnaire.model import Level


class DashboardNumbers(Protocol):
    """What the figures read from a dashboard (the services layer's `Dashboard` has it)."""

    participants: int
    stages: dict[str, int]  # enterprises by stage id
    histogram: list[int]  # enterprises per 10-point bin, 0–10 … 90–100
    trend: list[tuple[str, int, float]]  # (quarter, submissions, mean total)


def dashboard_figures(
    data: DashboardNumbers, levels: Sequence[Level], lang: str, texts: dict[str, str]
) -> dict[str, Figure]:
    """Stage shares and the histogram (when anyone took part) and the quarterly trend (when there
    is one), by name. `levels` are the questionnaire's stages; `texts` comes from `chart_texts`."""
    out = {}
    if data.participants:
        parts = [(lv.label.get(lang), data.stages.get(lv.id, 0) / data.participants)
                 for lv in levels]  # fmt: skip
        out["stages"] = share_bar(parts, title=texts["stages_title"])
        out["histogram"] = score_histogram(data.histogram, texts)
    if data.trend:
        quarters = [quarter for quarter, _n, _mean in data.trend]
        means = [mean for _quarter, _n, mean in data.trend]
        out["trend"] = line_chart(quarters, means, title=texts["trend_title"])
    return out


def score_histogram(counts: Sequence[int], texts: dict[str, str]) -> Figure:
    """Enterprises per 10-point bin of the total score, one bar per bin."""
    labels = [f"{10 * i}–{10 * (i + 1)}" for i in range(len(counts))]
    return column_chart(labels, list(counts), title=texts["histogram_title"])


def history_line(
    points: Sequence[tuple[datetime, float]], questionnaire_title: str, texts: dict[str, str]
) -> Figure:
    """One enterprise's total score at each submission (by month), oldest first."""
    labels = [when.strftime("%Y-%m") for when, _total in points]
    title = texts["history_title"] % {"title": questionnaire_title}
    return line_chart(labels, [total for _when, total in points], height=170, title=title)
