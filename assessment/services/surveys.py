"""Drafts and submissions. No Flask: views pass the session, questionnaire and user input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.enums import Status
from assessment.core.questionnaire.answers import clean, missing_required
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.scoring import SCORED, Result, score
from assessment.services import indicator_totals
from assessment.services.cache import bump_generation
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    QuestionScore,
    utcnow,
)


class ConflictError(Exception):
    """The draft was saved elsewhere (another tab) since this page was opened."""


class IncompleteError(Exception):
    """Submit was asked with required answers missing."""

    def __init__(self, missing: list[str]):
        super().__init__(f"{len(missing)} required answers missing")
        self.missing = missing


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


def start(session: Session, enterprise: Enterprise, questionnaire: Questionnaire) -> Assessment:
    """Resume the open draft of this questionnaire, or start a new one on its current version.

    The database holds at most one open draft per enterprise and questionnaire: when two requests
    start at once (a double click, two tabs), the one that loses the race resumes the other's.
    """
    draft = find_draft(session, enterprise, questionnaire.id)
    if draft is not None:
        return draft
    draft = Assessment(
        enterprise=enterprise,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        answers={},
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
class PageSave:
    answers: dict[str, Any]
    lock_version: int


def save_page(
    session: Session,
    assessment: Assessment,
    questionnaire: Questionnaire,
    page_answers: dict[str, Any],
    page_question_ids: list[str],
    page_index: int,
    lock_version: int | None,
) -> PageSave:
    """Merge one page's answers into the draft and store it.

    `page_answers` holds the page's valid answers (absent = empty). Answers hidden by `relevant`
    are dropped. Raises ConflictError when `lock_version` is not the stored one; the update is a
    compare-and-set, so two tabs (or two workers) can never silently overwrite each other.
    """
    if assessment.status != Status.DRAFT:
        raise ConflictError("already submitted")
    merged = {k: v for k, v in assessment.answers.items() if k not in page_question_ids}
    merged.update({k: v for k, v in page_answers.items() if v is not None})
    merged = clean(questionnaire, merged)
    expected = assessment.lock_version if lock_version is None else lock_version
    result = session.execute(
        update(Assessment)
        .where(
            Assessment.id == assessment.id,
            Assessment.lock_version == expected,
            Assessment.status == Status.DRAFT,
        )
        .values(
            answers=merged,
            current_page=page_index,
            lock_version=expected + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ConflictError("stale lock version")
    session.commit()
    session.refresh(assessment)
    return PageSave(merged, assessment.lock_version)


def submit(session: Session, assessment: Assessment, questionnaire: Questionnaire) -> Result:
    """Freeze the answers, score them and store the scores, all in one transaction."""
    if assessment.status != Status.DRAFT:
        raise ConflictError("already submitted")
    answers = clean(questionnaire, assessment.answers)
    missing = missing_required(questionnaire, answers)
    if missing:
        raise IncompleteError(missing)
    result = score(questionnaire, answers)
    enterprise = assessment.enterprise
    now = utcnow()
    try:
        claimed = session.execute(
            update(Assessment)
            .where(Assessment.id == assessment.id, Assessment.status == Status.DRAFT)
            .values(status=Status.SUBMITTED)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise ConflictError("already submitted")
        previous = session.execute(  # only what moving its indicator totals needs
            select(Assessment.id, Assessment.questionnaire_id, Assessment.questionnaire_version,
                   Assessment.industry, Assessment.town, Assessment.size_class,
                   Assessment.is_demo, Assessment.submitted_at)
            .where(
                Assessment.enterprise_id == assessment.enterprise_id,
                Assessment.questionnaire_id == assessment.questionnaire_id,
                Assessment.is_latest.is_(True),
            )
        ).first()  # fmt: skip
        session.execute(
            update(Assessment)
            .where(
                Assessment.enterprise_id == assessment.enterprise_id,
                Assessment.questionnaire_id == assessment.questionnaire_id,
                Assessment.is_latest.is_(True),
            )
            .values(is_latest=False)
            .execution_options(synchronize_session=False)
        )
        session.refresh(assessment)
        assessment.answers = answers
        assessment.questionnaire_version = questionnaire.version
        assessment.total = result.total
        assessment.stage = result.stage
        assessment.industry = enterprise.industry
        assessment.town = enterprise.town
        assessment.size_class = enterprise.size_class
        assessment.is_demo = enterprise.is_demo
        assessment.is_latest = True
        assessment.submitted_at = now
        assessment.updated_at = now
        rows = score_rows(assessment.id, result)
        session.add_all(rows)
        scores = [row for row in rows if isinstance(row, QuestionScore)]
        indicator_totals.record_submit(session, assessment, scores, previous)
        bump_generation(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


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
