"""The result of a submitted assessment: score, stage, peers, next steps, progress."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessment.core.cohorts import TOTAL
from assessment.core.enums import Role, Status
from assessment.core.headline import ahead_sentences
from assessment.core.result_view import step_answer_labels
from assessment.services import audit, results
from assessment.web.access import questionnaire_of, viewable_assessment
from assessment.web.charts import chart_svgs
from assessment.web.context import benchmarks
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.i18n import current_lang
from assessment.web.results.levels import change, level_peers, number

bp = Blueprint("results", __name__)
MAX_SELECTED_STEPS = 30


@bp.get("/a/<public_id>/result")
@login_required
def show(public_id: str):
    """The result page; `?step=<id>` (repeatable) projects the score after the ticked steps.
    A points-scored, level-rated questionnaire (MIIT) gets its own layout (`view.levels`)."""
    assessment = viewable_assessment(public_id)
    if assessment.status == Status.DRAFT:
        return redirect(url_for("survey.page", public_id=public_id, index=assessment.current_page))
    questionnaire = questionnaire_of(assessment)
    if current_user.role != Role.ENTERPRISE:  # the bureau reading one enterprise's data is audited
        audit.record(db.session, current_user, audit.VIEW_RESULT, "assessment", assessment.public_id,
                     {"enterprise": assessment.enterprise.public_id}, request.remote_addr)  # fmt: skip
    lang = current_lang()
    na = _("Not applicable")
    # A MIIT plan to the level after next may hold more steps than the ranked list offers.
    limit = len(questionnaire.recommendations) if questionnaire.scenarios else MAX_SELECTED_STEPS
    selected = request.args.getlist("step")[: max(limit, MAX_SELECTED_STEPS)]
    view = results.build(db.session, assessment, questionnaire, benchmarks(), lang, na, selected)
    step_labels = {s.id: step_answer_labels(view, s, lang, na) for s in view.steps}
    miit = {"level_peers": level_peers(view), "number": number, "change": change,
            "problem": message} if view.levels else {}  # fmt: skip
    return render_template(
        "results/show.html",
        view=view,
        assessment=assessment,
        questionnaire=questionnaire,
        result=view.result,
        level=view.level,
        charts=None if view.levels else chart_svgs(view, lang),  # no radar over scenarios
        headline=ahead_sentences(view, lang),
        step_labels=step_labels,
        TOTAL=TOTAL,
        what_if=bool(request.args.get("whatif")),
        **miit,
    )
