"""Drafts and submissions. No Flask: views pass the session, questionnaire and user input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.enums import Role, Status
from assessment.core.prefill import prefill
from assessment.core.questionnaire import Registry
from assessment.core.questionnaire.answers import clean, missing_required, relevant_ids
from assessment.core.questionnaire.model import Page, Questionnaire
from assessment.core.scoring import SCORED, Result, score
from assessment.core.survey import check_page, destination, differing, resume_page
from assessment.core.text import Problem
from assessment.services import derived, review
from assessment.services.cache import bump_generation
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    QuestionScore,
    User,
    utcnow,
)
from assessment.services.prefill import sources


class ConflictError(Exception):
    """The draft was saved elsewhere (another tab) since this page was opened."""


class IncompleteError(Exception):
    """Submit was asked with required answers missing, or pre-filled answers whose page was not
    shown and saved yet (`unconfirmed`)."""

    def __init__(self, missing: list[str], unconfirmed: list[str] | None = None):
        super().__init__(f"{len(missing)} required answers missing")
        self.missing = missing
        self.unconfirmed = unconfirmed or []


def unconfirmed(questionnaire: Questionnaire, assessment: Assessment) -> list[str]:
    """Pre-filled answers of shown questions whose page has not been saved since, in file order."""
    pending = assessment.prefilled or {}
    shown = relevant_ids(questionnaire, assessment.answers)
    return [q.id for q in questionnaire.questions if q.id in pending and q.id in shown]


def find_draft(
    session: Session, enterprise: Enterprise, questionnaire_id: str
) -> Assessment | None:
    """The enterprise's open draft of a questionnaire, if any."""
    stmt = select(Assessment).where(
        Assessment.enterprise_id == enterprise.id,
        Assessment.questionnaire_id == questionnaire_id,
        Assessment.status == Status.DRAFT,
    )
    return session.scalars(stmt.order_by(Assessment.id.desc())).first()


def start(session: Session, enterprise: Enterprise, questionnaire: Questionnaire,
          registry: Registry | None = None) -> Assessment:  # fmt: skip
    """Resume the open draft of this questionnaire, or start a new one on its current version,
    pre-filled (when `registry` is given) with the enterprise's latest answers to shared facts.

    The database holds at most one open draft per enterprise and questionnaire: when two requests
    start at once (a double click, two tabs), the one that loses the race resumes the other's.
    """
    draft = find_draft(session, enterprise, questionnaire.id)
    if draft is not None:
        return draft
    answers, provenance = {}, {}
    if registry is not None:
        now = utcnow()
        answers, provenance = prefill(
            questionnaire, sources(session, enterprise, registry, now), now
        )
    draft = Assessment(
        enterprise=enterprise,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        answers=answers,
        prefilled=provenance or None,
        is_demo=enterprise.is_demo,
    )
    session.add(draft)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_draft(session, enterprise, questionnaire.id)
        if existing is None:  # some other constraint: not the race
            raise
        return existing
    return draft


@dataclass
class PageOutcome:
    """What became of a posted survey page."""

    problems: dict[str, Problem]  # per question id; the other answers were saved
    saved: bool = False
    conflict: bool = False  # saved elsewhere since the page was opened: nothing was saved
    submitted: bool = False  # submitted elsewhere: nothing was saved
    others: dict[str, Any] = field(default_factory=dict)  # on a conflict: what the other saved
    next_page: int | None = None  # after a clean save: the page to show (None: the review)


def save_page(
    session: Session,
    assessment: Assessment,
    questionnaire: Questionnaire,
    page: Page,
    raw: dict[str, Any],
    nav: str,
    lock_version: int | None,
    by: User | None = None,
) -> PageOutcome:
    """Check one posted page (`raw` answers by question id) and store its valid answers, saved
    `by` that user (shown as "last saved by"; a provider is remembered as having helped).

    The update is a compare-and-set on `lock_version`, so two tabs (or two workers) can never
    silently overwrite each other: a stale or missing version saves nothing and reports the
    answers the other window saved. Answers hidden by `relevant` are dropped.
    """
    checked = check_page(questionnaire, assessment.answers, page, raw, nav)
    outcome = PageOutcome(checked.problems)
    if assessment.status != Status.DRAFT:
        outcome.submitted = True
        return outcome
    resume = resume_page(questionnaire, page.index, nav, bool(checked.problems))
    pending = {k: v for k, v in (assessment.prefilled or {}).items()
                 if k not in {q.id for q in page.questions}}  # fmt: skip
    if lock_version is None or not _compare_and_set(
        session,
        assessment,
        clean(questionnaire, checked.merged),
        pending or None,
        resume,
        lock_version,
        saved_by(by, "updated_by_id"),
    ):
        session.refresh(assessment)
        outcome.submitted = assessment.status != Status.DRAFT
        outcome.conflict = not outcome.submitted
        outcome.others = differing(assessment.answers, page, checked.answers)
        return outcome
    outcome.saved = True
    outcome.next_page = destination(questionnaire, page.index, nav)
    return outcome


def saved_by(user: User | None, column: str) -> dict[str, int]:
    """The columns that record who wrote: `column` (who saved, who submitted) and, for a service
    provider, `provider_id` (kept once set: the assessment stays marked as assisted)."""
    if user is None:
        return {}
    values = {column: user.id}
    if user.role == Role.PROVIDER:
        values["provider_id"] = user.id
    return values


def _compare_and_set(session: Session, assessment: Assessment, answers: dict[str, Any],
                     prefilled: dict | None, page_index: int, lock_version: int,
                     who: dict[str, int]) -> bool:  # fmt: skip
    """Store the draft's answers (and what is still only pre-filled) if nobody saved it since
    `lock_version`; False if someone did."""
    result = session.execute(
        update(Assessment)
        .where(
            Assessment.id == assessment.id,
            Assessment.lock_version == lock_version,
            Assessment.status == Status.DRAFT,
        )
        .values(
            answers=answers,
            prefilled=prefilled,
            current_page=page_index,
            lock_version=lock_version + 1,
            updated_at=utcnow(),
            **who,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    session.commit()
    session.refresh(assessment)
    return True


def submit(
    session: Session, assessment: Assessment, questionnaire: Questionnaire, by: User | None = None,
    registry: Registry | None = None,
) -> Result:  # fmt: skip
    """Freeze the answers, score them and store the scores, all in one transaction; `by` is the
    user who submitted. A campaign submission goes into review with its plausibility flags
    (`services.review`; `registry` lets them compare with the enterprise's other questionnaires)."""
    if assessment.status != Status.DRAFT:
        raise ConflictError("already submitted")
    answers = clean(questionnaire, assessment.answers)
    missing, pending = (
        missing_required(questionnaire, answers),
        unconfirmed(questionnaire, assessment),
    )
    if missing or pending:
        raise IncompleteError(missing, pending)
    result = score(questionnaire, answers)
    try:
        previous = _previous_latest(session, assessment)
        _claim(session, assessment, questionnaire, answers, result, saved_by(by, "submitted_by_id"))
        review.on_submit(session, assessment, questionnaire, result, registry)
        rows = score_rows(assessment.id, result)
        session.add_all(rows)
        derived.record_submit(session, assessment, rows, previous)
        bump_generation(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _latest_of(assessment: Assessment) -> list:
    return [
        Assessment.enterprise_id == assessment.enterprise_id,
        Assessment.questionnaire_id == assessment.questionnaire_id,
        Assessment.is_latest.is_(True),
    ]


def _previous_latest(session: Session, assessment: Assessment):
    """The enterprise's current latest assessment of this questionnaire: only what moving its
    indicator totals and score histograms needs (never its answers)."""
    return session.execute(
        select(Assessment.id, Assessment.questionnaire_id, Assessment.questionnaire_version,
               Assessment.industry, Assessment.town, Assessment.size_class,
               Assessment.is_demo, Assessment.submitted_at, Assessment.total,
               Assessment.stage)
        .where(*_latest_of(assessment))
    ).first()  # fmt: skip


def _claim(session: Session, assessment: Assessment, questionnaire: Questionnaire,
           answers: dict[str, Any], result: Result, who: dict[str, int]) -> None:  # fmt: skip
    """Turn the draft into the enterprise's latest submitted assessment, with its scores and the
    cohort it is benchmarked in frozen, in one compare-and-set UPDATE (a submitted row is never
    without its scores); ConflictError when it was submitted meanwhile."""
    session.execute(
        update(Assessment).where(*_latest_of(assessment)).values(is_latest=False)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    enterprise, now = assessment.enterprise, utcnow()
    claimed = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == Status.DRAFT)
        .values(status=Status.SUBMITTED, answers=answers, total=result.total,
                stage=result.stage, questionnaire_version=questionnaire.version, prefilled=None,
                industry=enterprise.industry, town=enterprise.town,
                size_class=enterprise.size_class, is_demo=enterprise.is_demo, is_latest=True,
                submitted_at=now, updated_at=now, **who)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if claimed.rowcount != 1:
        raise ConflictError("already submitted")
    session.refresh(assessment)


def score_rows(assessment_id: int, result: Result) -> list:
    """The per-dimension and per-question rows that SQL aggregates over."""
    rows: list = [
        DimensionScore(assessment_id=assessment_id, dimension_id=d, score=r.score)
        for d, r in result.dimensions.items()
        if r.score is not None
    ]
    rows += [
        QuestionScore(
            assessment_id=assessment_id,
            question_id=q,
            points=r.points,
            max_points=r.max_points,
        )
        for q, r in result.questions.items()
        if r.status in (SCORED, "unanswered")
    ]
    return rows


def history(session: Session, enterprise: Enterprise) -> list[Assessment]:
    """Every assessment of an enterprise, newest first."""
    stmt = select(Assessment).where(Assessment.enterprise_id == enterprise.id)
    return list(session.scalars(stmt.order_by(Assessment.created_at.desc(), Assessment.id.desc())))
