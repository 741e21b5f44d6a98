"""Review (审核) of campaign submissions: flagged at submit, approved or returned with a note,
corrected in a new draft pre-filled from the returned one. No Flask.

A submission enters review when its enterprise is a bound target of a campaign running that day
for its questionnaire (or when it corrects a returned campaign submission): `on_submit`, called
inside the submit's transaction, gives it the campaign, `review_status = 'pending'` and the
plausibility flags of `core.plausibility`. A decision is a compare-and-set on the pending
status (two reviewers cannot both decide) and bumps both cache generations: approved-only
figures change, for periods that have ended too.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core import plausibility
from assessment.core.enums import Review, Status
from assessment.core.questionnaire import Registry
from assessment.core.questionnaire.answers import clean
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.scoring import Result
from assessment.core.text import N_, Problem
from assessment.services import audit, campaigns
from assessment.services.cache import bump_generation
from assessment.services.models import Assessment, Campaign, User, utcnow

# Campaign dates are Cixi's calendar days.
CAMPAIGN_ZONE = ZoneInfo("Asia/Shanghai")
MAX_NOTE = 2000


def local_today(now: datetime | None = None) -> date:
    """Today in Cixi (campaign start and end dates are local days)."""
    moment = (now or utcnow()).replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(CAMPAIGN_ZONE).date()


def running_campaign(session: Session, enterprise_id: int, questionnaire_id: str,
                     today: date) -> Campaign | None:  # fmt: skip
    """The campaign running on `today` for this questionnaire in which the enterprise is a bound
    target (the one ending soonest when several are)."""
    running = campaigns.running_for(session, enterprise_id, today)
    return next((c for c in running if questionnaire_id in (c.questionnaire_ids or ())), None)


def _others(session: Session, assessment: Assessment, registry: Registry | None) -> dict:
    """The enterprise's latest submission of each other questionnaire (cross checks)."""
    if registry is None:
        return {}
    rows = session.execute(
        select(Assessment.questionnaire_id, Assessment.questionnaire_version, Assessment.answers)
        .where(Assessment.enterprise_id == assessment.enterprise_id,
               Assessment.questionnaire_id != assessment.questionnaire_id,
               Assessment.is_latest.is_(True))
    )  # fmt: skip
    found = {}
    for qid, version, answers in rows:
        questionnaire = registry.get(qid, version)
        if questionnaire is not None:
            found[qid] = plausibility.Other(questionnaire, answers or {})
    return found


def _previous_total(session: Session, assessment: Assessment) -> float | None:
    return session.scalar(
        select(Assessment.total)
        .where(Assessment.enterprise_id == assessment.enterprise_id,
               Assessment.questionnaire_id == assessment.questionnaire_id,
               Assessment.status == Status.SUBMITTED, Assessment.id != assessment.id)
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
        .limit(1)
    )  # fmt: skip


def on_submit(session: Session, assessment: Assessment, questionnaire: Questionnaire,
              result: Result, registry: Registry | None = None) -> None:  # fmt: skip
    """Put a just-claimed submission into review when it belongs to a campaign, with its flags.
    Call inside the submit's transaction (the caller commits); `registry` gives the checks the
    enterprise's other questionnaires (without it, only this one's answers are checked)."""
    corrected = session.get(Assessment, assessment.corrects_id) if assessment.corrects_id else None
    campaign_id = corrected.campaign_id if corrected is not None else None
    if campaign_id is None:
        campaign = running_campaign(session, assessment.enterprise_id, assessment.questionnaire_id,
                                    local_today(assessment.submitted_at))  # fmt: skip
        campaign_id = campaign.id if campaign is not None else None
    if campaign_id is None:
        return
    seconds = None  # a correction starts from the returned answers: its speed says nothing
    if corrected is None:
        seconds = (assessment.submitted_at - assessment.created_at).total_seconds()
    submission = plausibility.Submission(
        questionnaire, assessment.answers or {}, result, seconds,
        _previous_total(session, assessment), _others(session, assessment, registry),
    )  # fmt: skip
    found = [flag.as_dict() for flag in plausibility.flags(submission)]
    session.execute(
        update(Assessment).where(Assessment.id == assessment.id)
        .values(campaign_id=campaign_id, review_status=Review.PENDING,
                review_flags=found or null())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    session.refresh(assessment)


class ReviewError(Exception):
    """A decision that cannot be made as asked; `problem` says why, for the reviewer."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _decide(session: Session, reviewer: User, assessment: Assessment, status: Review,
            note: str | None, ip: str | None) -> None:  # fmt: skip
    decided = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.review_status == Review.PENDING)
        .values(review_status=status, reviewed_by_id=reviewer.id, reviewed_at=utcnow(),
                review_note=note)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if decided.rowcount != 1:
        session.rollback()
        raise ReviewError(Problem(N_("This submission was already reviewed by someone else.")))
    bump_generation(session, history=True)  # approved-only figures change, past periods too
    action = audit.APPROVE_SUBMISSION if status == Review.APPROVED else audit.RETURN_SUBMISSION
    details = {"enterprise": assessment.enterprise.public_id, "note": note} if note else {
        "enterprise": assessment.enterprise.public_id}  # fmt: skip
    audit.record(session, reviewer, action, "assessment", assessment.public_id, details, ip,
                 commit=False)  # fmt: skip
    session.commit()
    session.refresh(assessment)


def approve(
    session: Session, reviewer: User, assessment: Assessment, ip: str | None = None
) -> None:
    """Approve a pending submission (audited). ReviewError when it is not pending."""
    _decide(session, reviewer, assessment, Review.APPROVED, None, ip)


def return_for_correction(session: Session, reviewer: User, assessment: Assessment, note: str,
                          ip: str | None = None) -> None:  # fmt: skip
    """Return a pending submission to its enterprise with a note saying what to correct
    (audited). ReviewError when the note is empty or too long, or it is not pending."""
    note = (note or "").strip()
    if not note:
        raise ReviewError(Problem(N_("Say what the enterprise should correct.")))
    if len(note) > MAX_NOTE:
        raise ReviewError(Problem(N_("Use at most %(max)s characters."), {"max": MAX_NOTE}))
    _decide(session, reviewer, assessment, Review.RETURNED, note, ip)


def correction_of(session: Session, returned: Assessment) -> Assessment | None:
    """The draft or submission correcting `returned`, the newest if several."""
    return session.scalars(
        select(Assessment).where(Assessment.corrects_id == returned.id)
        .order_by(Assessment.id.desc()).limit(1)
    ).first()  # fmt: skip


def start_correction(session: Session, returned: Assessment, questionnaire: Questionnaire,
                     by: User, ip: str | None = None) -> Assessment:  # fmt: skip
    """The draft correcting a returned submission: the one already started, else a new draft of
    the questionnaire's current version pre-filled with the returned answers (audited). An open
    draft of the same questionnaire becomes the correction (the enterprise has one draft at a
    time). ReviewError when `returned` is not returned or was corrected already."""
    if returned.review_status != Review.RETURNED:
        raise ReviewError(Problem(N_("Only a returned submission can be corrected.")))
    existing = correction_of(session, returned)
    if existing is not None and existing.status == Status.SUBMITTED:
        raise ReviewError(Problem(N_("This submission was corrected already.")))
    if existing is not None:
        return existing
    draft = session.scalars(
        select(Assessment).where(Assessment.enterprise_id == returned.enterprise_id,
                                 Assessment.questionnaire_id == returned.questionnaire_id,
                                 Assessment.status == Status.DRAFT)
    ).first()  # fmt: skip
    if draft is None:
        draft = Assessment(
            enterprise_id=returned.enterprise_id, questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            answers=clean(questionnaire, returned.answers or {}), is_demo=returned.is_demo,
        )  # fmt: skip
        session.add(draft)
    draft.corrects_id = returned.id
    try:
        session.flush()
        audit.record(session, by, audit.START_CORRECTION, "assessment", returned.public_id,
                     {"draft": draft.public_id}, ip, commit=False)  # fmt: skip
        session.commit()
    except IntegrityError:  # a draft was opened meanwhile (another tab): correct in that one
        session.rollback()
        return start_correction(session, returned, questionnaire, by, ip)
    return draft
