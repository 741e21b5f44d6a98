"""The result of one submitted assessment, read from the database and assembled. No Flask."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.enums import Status
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.result_view import (
    PastAssessment,
    ResultView,
    Subject,
    ViewOptions,
    assemble,
    scores_of,
)
from assessment.core.scoring import score
from assessment.services.benchmarks import Benchmarks
from assessment.services.grants import provider_name
from assessment.services.models import Assessment


def subject_of(assessment: Assessment) -> Subject:
    """The plain facts a result shows about an assessment (its cohort as frozen at submit)."""
    company = assessment.enterprise
    return Subject(
        public_id=assessment.public_id,
        enterprise_name=company.name,
        uscc=company.uscc,
        town=assessment.town or company.town,
        industry=assessment.industry or company.industry,
        size_class=assessment.size_class or company.size_class,
        questionnaire_version=assessment.questionnaire_version,
        submitted_at=assessment.submitted_at,
        answers=assessment.answers or {},
        assisted_by=provider_name(assessment.provider),
    )


def earlier_assessments(session: Session, assessment: Assessment) -> list[PastAssessment]:
    """The enterprise's submitted assessments of this questionnaire before this one, newest first."""
    rows = session.execute(
        select(Assessment.submitted_at, Assessment.questionnaire_version, Assessment.answers)
        .where(
            Assessment.enterprise_id == assessment.enterprise_id,
            Assessment.questionnaire_id == assessment.questionnaire_id,
            Assessment.status == Status.SUBMITTED,
            Assessment.submitted_at < assessment.submitted_at,
        )
        .order_by(Assessment.submitted_at.desc())
    )
    return [PastAssessment(*row) for row in rows]


def build(
    session: Session,
    assessment: Assessment,
    questionnaire: Questionnaire,
    benchmarks: Benchmarks,
    lang: str,
    na_label: str,
    selected: list[str] | None = None,
) -> ResultView:
    """Assemble the result, cohort comparisons, ranked steps, projections and progress."""
    # Answers were frozen with their questionnaire version: re-scoring gives the stored result.
    result = score(questionnaire, assessment.answers)
    options = ViewOptions(lang, na_label, tuple(selected or ()), benchmarks.window_months,
                          benchmarks.min_cohort,
                          benchmarks.pool(questionnaire.id, questionnaire.version))  # fmt: skip
    return assemble(
        questionnaire,
        subject_of(assessment),
        result,
        benchmarks.compare(assessment, scores_of(result)),
        earlier_assessments(session, assessment),
        options,
    )
