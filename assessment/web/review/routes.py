"""Review (审核) of campaign submissions: the bureau's queue and decisions (town officers see their
towns' submissions, read-only), and the enterprise's correction of a returned one."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from assessment.core.enums import Review, Role, Status
from assessment.core.plausibility import reason
from assessment.core.text import N_
from assessment.services import audit, review, review_queue
from assessment.services.models import Assessment, Campaign, User
from assessment.services.review_queue import QueueQuery
from assessment.services.town_officers import enterprise_visible
from assessment.web.access import (
    acting_required,
    bureau_required,
    current_scope,
    own_assessment,
    reader_required,
    registry,
)
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.mail import send_mail
from assessment.web.pagination import pager
from assessment.web.review.forms import STATUS_LABELS, DecisionForm, QueueFilterForm

bp = Blueprint("review", __name__)
PER_PAGE = 30
SUBJECT_RETURNED = N_("Your assessment was returned for correction")


@bp.app_template_filter("flag_reason")
def _flag_reason(stored) -> str:
    """A stored plausibility flag as its reason, in the reader's language."""
    return message(reason(stored))


@bp.app_template_filter("review_label")
def _review_label(status: str | None) -> str:
    label = STATUS_LABELS.get(status or "")
    return str(label) if label is not None else ""


@bp.app_template_global("returned_for_correction")
def returned_for_correction(assessments) -> list[tuple[Assessment, Assessment | None]]:
    """For the enterprise's home: each returned submission not corrected yet, with the draft
    correcting it when one is open (`assessments`: the enterprise's history)."""
    corrections = {a.corrects_id: a for a in assessments if a.corrects_id is not None}
    out = []
    for a in assessments:
        if a.review_status != Review.RETURNED:
            continue
        correction = corrections.get(a.id)
        if correction is None or correction.status == Status.DRAFT:
            out.append((a, correction))
    return out


@bp.app_template_global("corrected_submission")
def corrected_submission(assessment: Assessment) -> Assessment | None:
    """The returned submission a draft corrects (its note is shown on every survey page)."""
    if assessment.corrects_id is None:
        return None
    return db.session.get(Assessment, assessment.corrects_id)


def _in_review(public_id: str) -> Assessment:
    """A submission in review that the current reader may see (404 otherwise: another town's,
    not a campaign submission, or a demo one outside demo mode)."""
    assessment = db.session.scalar(select(Assessment).where(Assessment.public_id == public_id))
    if assessment is None or assessment.review_status is None:
        abort(404)
    if assessment.is_demo and not current_app.config["DEMO_MODE"]:
        abort(404)
    if not enterprise_visible(assessment.enterprise, current_scope()):
        abort(404)
    return assessment


def _query(form: QueueFilterForm) -> QueueQuery:
    campaign_id = None
    if form.campaign.data:
        campaign_id = db.session.scalar(
            select(Campaign.id).where(Campaign.public_id == form.campaign.data)
        )
    return QueueQuery(form.status.data, campaign_id, bool(form.flagged.data),
                      current_app.config["DEMO_MODE"])  # fmt: skip


@bp.get("/bureau/review")
@reader_required
def queue():
    """Campaign submissions by review status, flagged ones first, with the flags' reasons."""
    form = QueueFilterForm(formdata=request.args, campaigns=review_queue.campaigns(db.session))
    query = _query(form)
    scope = current_scope()
    counts = review_queue.counts(db.session, query, scope)
    pages = pager(request.args, counts[query.status], PER_PAGE)
    rows, _total = review_queue.page(db.session, query, scope, pages.per_page, pages.offset)
    if current_user.role == Role.TOWN_OFFICER:  # every officer view is audited
        audit.record(db.session, current_user, audit.VIEW_REVIEW, "filter", None,
                     {"status": query.status, "towns": sorted(scope or ())},
                     request.remote_addr)  # fmt: skip
    return render_template("review/queue.html", form=form, rows=rows, counts=counts,
                           pager=pages, query=query)  # fmt: skip


@bp.get("/bureau/review/<public_id>")
@reader_required
def show(public_id: str):
    """One submission: its flags and reasons, its earlier and later rounds, and the decision."""
    assessment = _in_review(public_id)
    audit.record(db.session, current_user, audit.VIEW_REVIEW, "assessment", assessment.public_id,
                 {"enterprise": assessment.enterprise.public_id}, request.remote_addr)  # fmt: skip
    return _render_show(assessment, DecisionForm())


def _render_show(assessment: Assessment, form: DecisionForm):
    questionnaire = registry().get(assessment.questionnaire_id, assessment.questionnaire_version)
    return render_template(
        "review/show.html",
        assessment=assessment,
        questionnaire=questionnaire,
        chain=review_queue.history_of(db.session, assessment),
        form=form,
        may_decide=current_user.role in (Role.BUREAU, Role.ADMIN),
    )


@bp.post("/bureau/review/<public_id>")
@bureau_required
def decide(public_id: str):
    """Approve, or return with a note (mailed to the enterprise's users)."""
    assessment = _in_review(public_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The page had expired. Please send it again."), "warning")
        return _render_show(assessment, form)
    if not (form.send_back.data or form.approve.data):  # a post without a button decides nothing
        flash(_("Choose Approve or Return for correction."), "warning")
        return _render_show(assessment, form)
    reviewer = current_user._get_current_object()
    try:
        if form.send_back.data:
            review.return_for_correction(db.session, reviewer, assessment, form.note.data or "",
                                         request.remote_addr)  # fmt: skip
        else:
            review.approve(db.session, reviewer, assessment, request.remote_addr)
    except review.ReviewError as exc:
        if assessment.review_status != Review.PENDING:  # someone else was faster
            flash(message(exc.problem), "warning")
            return _render_show(assessment, form), 409
        form.note.errors = [message(exc.problem)]  # next to the note, what was typed kept
        return _render_show(assessment, form)
    if assessment.review_status == Review.RETURNED:
        _mail_return(assessment)
        flash(_("Returned to %(name)s with your note.", name=assessment.enterprise.name),
              "success")  # fmt: skip
    else:
        flash(_("Approved: %(name)s.", name=assessment.enterprise.name), "success")
    return redirect(url_for("review.queue"))


def _mail_return(assessment: Assessment) -> None:
    """Mail the note to every active user of the enterprise, in the site's language; a failure
    is told to the reviewer (the return itself stands)."""
    users = db.session.scalars(
        select(User).where(User.enterprise_id == assessment.enterprise_id, User.active.is_(True))
    ).all()
    questionnaire = registry().get(assessment.questionnaire_id, assessment.questionnaire_version)
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    failed = [
        user.email
        for user in users
        if not send_mail(
            user.email,
            SUBJECT_RETURNED,
            "review_returned",
            lang=lang,
            enterprise=assessment.enterprise.name,
            assessment=assessment,
            title=questionnaire.title if questionnaire else None,
            link=url_for("survey.home", _external=True),
        )  # fmt: skip
    ]
    if failed:
        flash(_("The email telling %(email)s of the return could not be sent.",
                email=", ".join(failed)), "warning")  # fmt: skip


@bp.post("/my/correct/<public_id>")
@acting_required
def correct(public_id: str):
    """Open the draft correcting a returned submission, pre-filled with its answers."""
    returned = own_assessment(public_id)
    questionnaire = registry().get(returned.questionnaire_id)
    if questionnaire is None:
        abort(404)
    try:
        draft = review.start_correction(db.session, returned, questionnaire,
                                        current_user._get_current_object(), request.remote_addr)  # fmt: skip
    except review.ReviewError as exc:
        flash(message(exc.problem), "warning")
        return redirect(url_for("survey.home"))
    return redirect(url_for("survey.page", public_id=draft.public_id, index=draft.current_page))
