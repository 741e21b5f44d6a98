"""The survey: my assessments, one page per dimension, review, submit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enums import Status
from assessment.core.prefill import notice
from assessment.core.questionnaire.answers import describe, missing_required, progress, relevant_ids
from assessment.core.questionnaire.expressions import names_in
from assessment.core.survey import check_page, explanations, page_warnings
from assessment.services import grants, surveys
from assessment.services.email_verification import must_verify
from assessment.web.access import (
    acting_required,
    current_enterprise,
    filler_required,
    own_assessment,
    questionnaire_of,
    registry,
)
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.i18n import current_lang
from assessment.web.survey.fields import initial_data, parse_lock_version, read_page

bp = Blueprint("survey", __name__)


@bp.get("/my")
@acting_required
def home():
    """The enterprise's questionnaires, open drafts and history (a service provider's: those of the
    enterprise it acts for)."""
    enterprise = current_enterprise()
    items = surveys.history(db.session, enterprise)
    return render_template("survey/home.html", enterprise=enterprise, assessments=items)


@bp.post("/my/start/<questionnaire_id>")
@acting_required
def start(questionnaire_id: str):
    """Open the draft of a questionnaire (resuming where it was left), or start one."""
    questionnaire = registry().get(questionnaire_id)
    if questionnaire is None:
        abort(404)
    draft = surveys.start(db.session, current_enterprise(), questionnaire, registry())
    return redirect(url_for("survey.page", public_id=draft.public_id, index=draft.current_page))


@bp.route("/a/<public_id>/page/<int:index>", methods=["GET", "POST"])
@filler_required
def page(public_id: str, index: int):
    """One survey page: show it, or save it (every save stores the draft)."""
    assessment = own_assessment(public_id)
    if assessment.status != Status.DRAFT:
        return redirect(url_for("results.show", public_id=public_id))
    questionnaire = questionnaire_of(assessment)
    if not 0 <= index < len(questionnaire.pages):
        abort(404)
    current = questionnaire.pages[index]
    form_class = current_app.extensions["survey_forms"].form_class(questionnaire, current)
    if request.method == "GET":
        form = form_class(data=initial_data(current, assessment.answers, assessment.lock_version))
        return _render_page(assessment, questionnaire, current, form)
    form = form_class()
    raw, nav = read_page(form, current), request.form.get("nav", "save")
    if csrf_failed():  # nothing is saved; what was typed is shown again with its problems
        problems = check_page(questionnaire, assessment.answers, current, raw, nav).problems
        form.lock_version.data = str(assessment.lock_version)
        banner = _("This page had expired, so your answers below were not saved yet. "
                   "Check them and press Save again.")  # fmt: skip
        return _render_page(assessment, questionnaire, current, form, problems, banner)
    outcome = surveys.save_page(db.session, assessment, questionnaire, current, raw, nav,
                                parse_lock_version(form), by=current_user._get_current_object())  # fmt: skip
    if outcome.saved:  # a service provider's saves are audited
        grants.record_work(db.session, current_user, assessment, "save", request.remote_addr)
    if outcome.submitted:
        flash(_("This assessment was already submitted in another window."), "warning")
        return redirect(url_for("results.show", public_id=public_id))
    form.lock_version.data = str(assessment.lock_version)
    if outcome.conflict:
        banner = _conflict_banner(assessment)
        return _render_page(assessment, questionnaire, current, form, outcome.problems, banner,
                            outcome.others)  # fmt: skip
    if outcome.problems:
        banner = _("Some answers need your attention. The others on this page were saved.")
        return _render_page(assessment, questionnaire, current, form, outcome.problems,
                            ("error", banner))  # fmt: skip
    if outcome.next_page is None:
        return redirect(url_for("survey.review", public_id=public_id))
    if nav == "save":
        flash(_("Saved."), "success")
    return redirect(url_for("survey.page", public_id=public_id, index=outcome.next_page))


def _conflict_banner(assessment) -> str:
    """Who saved since the page was opened: another window of this user, or a colleague (named)."""
    saver = assessment.updated_by
    if saver is None or saver.id == current_user.id:
        return _(
            "These answers were changed in another window or tab since you opened this page. "
            "Your answers below have NOT been saved yet; where the other window saved something "
            "different it is shown under the question. Check and press Save again to keep yours."
        )
    return _(
        "%(name)s saved answers in this assessment at %(when)s, after you opened this page. "
        "Your answers below have NOT been saved yet; where %(name)s saved something different "
        "it is shown under the question. Check and press Save again to keep yours.",
        name=saver.label,
        when=format_datetime(assessment.updated_at, "HH:mm"),
    )


def _render_page(assessment, questionnaire, current, form, problems=None, banner=None, others=None):
    """The survey page; `banner` is a message (a warning) or a (kind, message) pair."""
    others = others or {}
    page_ids = {q.id for q in current.questions}
    # Questions whose condition reads an answer on this same page are always shown (with a note):
    # the condition is re-checked on save, so the page works without JavaScript.
    conditional_ids = {
        q.id for q in current.questions if q.relevant and names_in(q.relevant) & page_ids
    }
    lang = current_lang()
    na = _("Not applicable") if others else None
    other_labels = {
        qid: describe(questionnaire.question(qid), value, lang, na) or _("(no answer)")
        for qid, value in others.items()
    }
    shown = relevant_ids(questionnaire, assessment.answers)  # once, for the page and its progress
    notes = {qid: message(p) for qid, p in explanations(current, assessment.answers).items()}
    prefilled = {
        qid: message(notice(record, _source_title(record)))
        for qid, record in (assessment.prefilled or {}).items()
        if qid in {q.id for q in current.questions}
    }
    warnings = {qid: message(p) for qid, p in page_warnings(current, assessment.answers).items()}
    return render_template(
        "survey/page.html",
        assessment=assessment,
        questionnaire=questionnaire,
        page=current,
        form=form,
        errors={qid: message(p) for qid, p in (problems or {}).items()},
        warnings=warnings,
        notes=notes,
        prefilled=prefilled,
        banner=("warning", banner) if isinstance(banner, str) else banner,
        others=others,
        other_labels=other_labels,
        conditional_ids=conditional_ids,
        shown=shown,
        progress=progress(questionnaire, assessment.answers, shown),
        texts=questionnaire.texts(lang),
        kinds=current_app.extensions["survey_forms"],
    )


def _source_title(record: dict):
    source = registry().get(record.get("questionnaire", ""))
    return source.title if source is not None else None


@bp.route("/a/<public_id>/review", methods=["GET", "POST"])
@filler_required
def review(public_id: str):
    """Every answer with a link back to edit it; submit from here."""
    assessment = own_assessment(public_id)
    if assessment.status != Status.DRAFT:
        return redirect(url_for("results.show", public_id=public_id))
    questionnaire = questionnaire_of(assessment)
    missing = missing_required(questionnaire, assessment.answers)
    pending = surveys.unconfirmed(questionnaire, assessment)
    # Filling needs no confirmed address; submitting does (the page explains and offers a link).
    unverified = must_verify(current_user)
    if request.method == "POST" and not csrf_failed() and not unverified:
        try:
            surveys.submit(db.session, assessment, questionnaire,
                           by=current_user._get_current_object(), registry=registry())  # fmt: skip
        except surveys.IncompleteError as exc:
            missing, pending = exc.missing, exc.unconfirmed
        except surveys.ConflictError:
            return redirect(url_for("results.show", public_id=public_id))
        else:
            grants.record_work(db.session, current_user, assessment, "submit", request.remote_addr)
            flash(_("Submitted. Here is your result."), "success")
            return redirect(url_for("results.show", public_id=public_id))
    elif request.method == "POST" and csrf_failed():
        flash(_("The page had expired. Please press Submit again."), "warning")
    return render_template(
        "survey/review.html",
        unverified=unverified,
        assessment=assessment,
        questionnaire=questionnaire,
        missing=missing,
        pending=pending,
        shown=relevant_ids(questionnaire, assessment.answers),
        progress=progress(questionnaire, assessment.answers),
        submit_attempted=request.method == "POST",
    )
