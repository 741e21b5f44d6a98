"""Where a new draft's shared facts come from: the enterprise's other assessments and its
profile (see `assessment.core.prefill`). No Flask."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.enums import Status
from assessment.core.prefill import PROFILE, Source, values_by_key
from assessment.core.questionnaire import Registry
from assessment.services.models import Assessment, Enterprise
from assessment.services.profile import figures_changed_at


def profile_source(enterprise: Enterprise, changed_at: datetime | None = None) -> Source:
    """The profile's figures: employees and last year's revenue (万元), dated by the owner's
    last change of them (`changed_at`), else by the registration."""
    values = {"staff_last": enterprise.employees, "revenue_last": enterprise.revenue_wan}
    at = max(enterprise.created_at, changed_at) if changed_at else enterprise.created_at
    return Source(PROFILE, PROFILE, at, values)


def sources(session: Session, enterprise: Enterprise, registry: Registry,
            exclude: int | None = None) -> list[Source]:  # fmt: skip
    """The enterprise's own assessments (drafts and submitted, of any questionnaire version that
    is loaded) and its profile, as pre-fill sources; `prefill` keeps the recent ones."""
    rows = session.execute(
        select(Assessment.id, Assessment.questionnaire_id, Assessment.questionnaire_version,
               Assessment.status, Assessment.updated_at, Assessment.submitted_at,
               Assessment.answers)
        .where(Assessment.enterprise_id == enterprise.id)
    )  # fmt: skip
    found = [profile_source(enterprise, figures_changed_at(session, enterprise))]
    for aid, qid, version, status, updated, submitted, answers in rows:
        questionnaire = registry.get(qid, version)
        if aid == exclude or questionnaire is None or not answers:
            continue
        when = submitted if status == Status.SUBMITTED and submitted else updated
        found.append(Source(qid, status, when, values_by_key(questionnaire, answers)))
    return found
