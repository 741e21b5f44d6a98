"""Dashboard and history charts as inline SVG."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from assessment.core.charts import column_chart, line_chart, share_bar, to_svg
from assessment.core.questionnaire.model import Questionnaire
from assessment.services.bureau_stats import Dashboard


def dashboard_charts(data: Dashboard, questionnaire: Questionnaire, lang: str) -> dict[str, Markup]:
    """Stage shares, score histogram and the quarterly trend."""
    out = {}
    if data.participants:
        parts = [(lv.label.get(lang), data.stages.get(lv.id, 0) / data.participants)
                 for lv in questionnaire.levels]  # fmt: skip
        out["stages"] = Markup(to_svg(share_bar(parts, title=_("Share of enterprises by stage"))))
        labels = [f"{10 * i}–{10 * (i + 1)}" for i in range(len(data.histogram))]
        out["histogram"] = Markup(to_svg(column_chart(labels, data.histogram,
                                                      title=_("Enterprises by total score"))))  # fmt: skip
    if data.trend:
        out["trend"] = Markup(to_svg(line_chart([q for q, _n, _m in data.trend],
                                                [m for _q, _n, m in data.trend],
                                                title=_("Mean total score by quarter"))))  # fmt: skip
    return out


def history_chart(assessments, questionnaire: Questionnaire, lang: str) -> Markup:
    """One enterprise's total score over its assessments."""
    labels = [a.submitted_at.strftime("%Y-%m") for a in assessments]
    return Markup(to_svg(line_chart(labels, [a.total for a in assessments], height=170,
                                    title=_("Total score over time: %(title)s",
                                            title=questionnaire.title.get(lang)))))  # fmt: skip
