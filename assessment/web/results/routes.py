"""The result of a submitted assessment."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from ...i18n import current_lang
from ...models import STATUS_DRAFT
from ...questionnaire.answers import describe
from ...scoring import Result
from ..access import login_required, questionnaire_of, viewable_assessment

bp = Blueprint("results", __name__)


@bp.get("/a/<public_id>/result")
@login_required
def show(public_id: str):
    """Score, stage and why: every dimension with the questions that cost the most points."""
    assessment = viewable_assessment(public_id)
    if assessment.status == STATUS_DRAFT:
        return redirect(url_for("survey.page", public_id=public_id, index=assessment.current_page))
    questionnaire = questionnaire_of(assessment)
    result = Result.from_dict(assessment.result)
    lang = current_lang()
    na = _("Not applicable")
    dimensions = []
    for dim in questionnaire.dimensions:
        costly = []
        for qr in result.costliest(dim.id, limit=3):
            question = questionnaire.question(qr.question_id)
            costly.append(
                {
                    "question": question,
                    "answer": describe(question, assessment.answers.get(question.id), lang, na)
                    or _("Not answered"),
                    "result": qr,
                }
            )
        dimensions.append({"dimension": dim, "result": result.dimensions[dim.id], "costly": costly})
    return render_template(
        "results/show.html",
        assessment=assessment,
        questionnaire=questionnaire,
        result=result,
        level=questionnaire.level(result.stage),
        dimensions=dimensions,
    )
