"""The survey: my assessments, one page per dimension, review, submit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enums import Status
from assessment.core.questionnaire.answers import describe, missing_required, relevant_ids
from assessment.core.questionnaire.expressions import names_in
from assessment.core.text import N_, Problem
from assessment.services import surveys
from assessment.web.access import enterprise_required, own_assessment, questionnaire_of, registry
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.i18n import current_lang
from assessment.web.survey.forms import (
    initial_data,
    parse_lock_version,
    read_answers,
)
from assessment.web.survey.texts import question_texts

bp = Blueprint("survey", __name__)

REQUIRED = Problem(N_("Please answer this question (or choose 'not applicable' where offered)."))


@bp.get("/my")
@enterprise_required
def home():
    """The enterprise's questionnaires, open drafts and history."""
    enterprise = current_user.enterprise
    items = surveys.history(db.session, enterprise)
    return render_template("survey/home.html", enterprise=enterprise, assessments=items)


@bp.post("/my/start/<questionnaire_id>")
@enterprise_required
def start(questionnaire_id: str):
    """Open the draft of a questionnaire (resuming where it was left), or start one."""
    questionnaire = registry().get(questionnaire_id)
    if questionnaire is None:
        abort(404)
    draft = surveys.start(db.session, current_user.enterprise, questionnaire)
    return redirect(url_for("survey.page", public_id=draft.public_id, index=draft.current_page))


def _progress(questionnaire, answers, shown: set[str] | None = None) -> dict:
    if shown is None:
        shown = relevant_ids(questionnaire, answers)
    visible = [q for q in questionnaire.questions if q.id in shown]
    done = [q for q in visible if answers.get(q.id) not in (None, "", [])]
    pages = []
    for page in questionnaire.pages:
        page_visible = [q for q in page.questions if q.id in shown]
        missing = [q for q in page_visible if q.required and answers.get(q.id) in (None, "", [])]
        pages.append({"page": page, "missing": len(missing), "count": len(page_visible)})
    percent = round(100 * len(done) / len(visible)) if visible else 0
    return {"answered": len(done), "total": len(visible), "percent": percent, "pages": pages}


@bp.route("/a/<public_id>/page/<int:index>", methods=["GET", "POST"])
@enterprise_required
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
    banner, others = None, {}
    if request.method == "GET":
        form = form_class(data=initial_data(current, assessment.answers, assessment.lock_version))
        return _render_page(assessment, questionnaire, current, form, {}, banner, others)

    form = form_class()
    answers, problems = read_answers(form, current)
    nav = request.form.get("nav", "save")
    merged = {k: v for k, v in assessment.answers.items()}
    merged.update(answers)
    for q in current.questions:
        if q.id not in answers and q.id not in problems:
            merged.pop(q.id, None)
    shown = relevant_ids(questionnaire, merged)
    enforce_required = nav in ("next", "review")
    for q in current.questions:
        if q.id not in shown:
            problems.pop(q.id, None)
            answers.pop(q.id, None)
        elif enforce_required and q.required and q.id not in answers and q.id not in problems:
            problems[q.id] = REQUIRED

    if csrf_failed():
        banner = (
            "warning",
            _(
                "This page had expired, so your answers below were not saved yet. "
                "Check them and press Save again."
            ),
        )
        form.lock_version.data = str(assessment.lock_version)
        return _render_page(assessment, questionnaire, current, form, problems, banner, others)

    lock_version = parse_lock_version(form)
    valid_ids = [q.id for q in current.questions if q.id not in problems]
    try:
        if lock_version is None:
            raise surveys.ConflictError("missing lock version")
        surveys.save_page(
            db.session,
            assessment,
            questionnaire,
            {k: v for k, v in answers.items() if k in valid_ids},
            valid_ids,
            # Resume where the user was heading (the review page resumes at the last page).
            _resume_page(questionnaire, index, nav, bool(problems)),
            lock_version,
        )
    except surveys.ConflictError:
        db.session.refresh(assessment)
        if assessment.status != Status.DRAFT:
            flash(_("This assessment was already submitted in another window."), "warning")
            return redirect(url_for("results.show", public_id=public_id))
        others = {
            q.id: assessment.answers.get(q.id)
            for q in current.questions
            if assessment.answers.get(q.id) != answers.get(q.id)
        }
        banner = (
            "warning",
            _(
                "These answers were changed in another window or tab since you opened this page. "
                "Your answers below have NOT been saved yet; where the other window saved something "
                "different it is shown under the question. Check and press Save again to keep yours."
            ),
        )
        form.lock_version.data = str(assessment.lock_version)
        return _render_page(assessment, questionnaire, current, form, problems, banner, others)

    form.lock_version.data = str(assessment.lock_version)
    if problems:
        banner = (
            "error",
            _("Some answers need your attention. The others on this page were saved."),
        )
        return _render_page(assessment, questionnaire, current, form, problems, banner, others)
    return redirect(_next_url(assessment, questionnaire, index, nav))


def _destination(questionnaire, index: int, nav: str) -> int | None:
    """The page a navigation button leads to; None for the review page."""
    last = len(questionnaire.pages) - 1
    if nav == "review" or (nav == "next" and index == last):
        return None
    if nav == "next":
        return index + 1
    if nav == "prev":
        return max(index - 1, 0)
    if nav.startswith("goto-") and nav[5:].isdigit() and len(nav) < 12:
        return min(int(nav[5:]), last)
    return index


def _resume_page(questionnaire, index: int, nav: str, has_problems: bool) -> int:
    if has_problems:
        return index  # the page stays open with its messages
    target = _destination(questionnaire, index, nav)
    return len(questionnaire.pages) - 1 if target is None else target


def _next_url(assessment, questionnaire, index: int, nav: str) -> str:
    target = _destination(questionnaire, index, nav)
    if target is None:
        return url_for("survey.review", public_id=assessment.public_id)
    if nav == "save":
        flash(_("Saved."), "success")
    return url_for("survey.page", public_id=assessment.public_id, index=target)


def _render_page(assessment, questionnaire, current, form, problems, banner, others):
    errors = {qid: message(p) for qid, p in problems.items()}
    answers = assessment.answers
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
    shown = relevant_ids(questionnaire, answers)  # evaluated once, for the page and its progress
    return render_template(
        "survey/page.html",
        assessment=assessment,
        questionnaire=questionnaire,
        page=current,
        form=form,
        errors=errors,
        banner=banner,
        others=others,
        other_labels=other_labels,
        conditional_ids=conditional_ids,
        shown=shown,
        progress=_progress(questionnaire, answers, shown),
        texts=question_texts(questionnaire, lang),
    )


@bp.route("/a/<public_id>/review", methods=["GET", "POST"])
@enterprise_required
def review(public_id: str):
    """Every answer with a link back to edit it; submit from here."""
    assessment = own_assessment(public_id)
    if assessment.status != Status.DRAFT:
        return redirect(url_for("results.show", public_id=public_id))
    questionnaire = questionnaire_of(assessment)
    missing = missing_required(questionnaire, assessment.answers)
    if request.method == "POST" and not csrf_failed():
        try:
            surveys.submit(db.session, assessment, questionnaire)
        except surveys.IncompleteError as exc:
            missing = exc.missing
        except surveys.ConflictError:
            return redirect(url_for("results.show", public_id=public_id))
        else:
            flash(_("Submitted. Here is your result."), "success")
            return redirect(url_for("results.show", public_id=public_id))
    elif request.method == "POST":
        flash(_("The page had expired. Please press Submit again."), "warning")
    return render_template(
        "survey/review.html",
        assessment=assessment,
        questionnaire=questionnaire,
        missing=missing,
        shown=relevant_ids(questionnaire, assessment.answers),
        progress=_progress(questionnaire, assessment.answers),
        submit_attempted=request.method == "POST",
    )
