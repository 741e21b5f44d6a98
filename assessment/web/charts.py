"""Charts on pages: the core figures, with texts from Flask-Babel, as inline SVG (the PDF draws
the same figures with reportlab)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext
from markupsafe import Markup

from assessment.core.charts import (
    chart_texts,
    dashboard_figures,
    history_line,
    progress_bars,
    result_figures,
    to_svg,
)
from assessment.core.charts.dashboard_figures import DashboardNumbers
from assessment.core.charts.progress_figures import ProgressCounts
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.result_view import ResultView


def chart_svgs(view: ResultView, lang: str) -> dict[str, Markup]:
    """A result's radar and band bars, by name."""
    figures = result_figures(view, lang, chart_texts(gettext))
    return {name: Markup(to_svg(fig)) for name, fig in figures.items()}


def dashboard_charts(
    data: DashboardNumbers, questionnaire: Questionnaire, lang: str
) -> dict[str, Markup]:
    """The dashboard's stage shares, score histogram and quarterly trend, by name."""
    figures = dashboard_figures(data, questionnaire.levels, lang, chart_texts(gettext))
    return {name: Markup(to_svg(fig)) for name, fig in figures.items()}


def progress_chart(rows: Sequence[tuple[str, ProgressCounts]]) -> Markup:
    """A campaign's progress: one bar per (label, counts) split by how far the targets got."""
    return Markup(to_svg(progress_bars(rows, chart_texts(gettext))))


def history_chart(assessments: Sequence, questionnaire: Questionnaire, lang: str) -> Markup:
    """One enterprise's total score over its submitted assessments (oldest first)."""
    points = [(a.submitted_at, a.total) for a in assessments]
    fig = history_line(points, questionnaire.title.get(lang), chart_texts(gettext))
    return Markup(to_svg(fig))
