"""My data: everything the product holds about one enterprise, as a ZIP of one JSON file, a README
and the PDF report of every submitted assessment. No Flask.

The PDFs are made by the caller (`render`), since building a report is the web layer's business
(services do not import `reports`). Secrets never leave: no password hashes, TOTP secrets,
recovery codes, invitation or API tokens, campaign invitation codes or session versions; every
record is written out field by field (here and in `my_data_records`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.enums import Status
from assessment.services import my_data_records as records
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    ProviderGrant,
    QuestionScore,
    User,
    utcnow,
)
from assessment.services.my_data_records import iso, labelled, person

FORMAT = "cixi-digital-assessment/my-data/1"
JSON_NAME = "my-data.json"
README_NAME = "README.txt"
REPORTS_DIR = "reports"


def _enterprise(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "public_id": enterprise.public_id,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "town": labelled("town", enterprise.town),
        "industry": labelled("industry", enterprise.industry),
        "employees": enterprise.employees,
        "revenue_wan": enterprise.revenue_wan,
        "size_class": labelled("size", enterprise.size_class),
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "registered_at": iso(enterprise.created_at),
    }


def _user(user: User) -> dict[str, Any]:
    # Deliberately listed field by field: a new secret column must never leak by default.
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "membership": user.membership,
        "active": user.active,
        "created_at": iso(user.created_at),
        "last_login_at": iso(user.last_login_at),
        "email_verified_at": iso(user.email_verified_at),
        "two_step_verification_since": iso(user.totp_enabled_at),
    }


def _scores(session: Session, assessment: Assessment) -> dict[str, Any]:
    dims = session.execute(
        select(DimensionScore.dimension_id, DimensionScore.score)
        .where(DimensionScore.assessment_id == assessment.id)
        .order_by(DimensionScore.dimension_id)
    )
    questions = session.execute(
        select(QuestionScore.question_id, QuestionScore.points, QuestionScore.max_points)
        .where(QuestionScore.assessment_id == assessment.id)
        .order_by(QuestionScore.question_id)
    )
    return {
        "total": assessment.total,
        "stage": assessment.stage,
        "dimensions": {d: s for d, s in dims},
        "questions": {q: {"points": p, "max_points": m} for q, p, m in questions},
    }


def _public_id(session: Session, assessment_id: int | None) -> str | None:
    return session.get(Assessment, assessment_id).public_id if assessment_id else None


def _assessment(session: Session, assessment: Assessment) -> dict[str, Any]:
    submitted = assessment.status == Status.SUBMITTED
    return {
        "public_id": assessment.public_id,
        "questionnaire": assessment.questionnaire_id,
        "questionnaire_version": assessment.questionnaire_version,
        "status": assessment.status,
        "created_at": iso(assessment.created_at),
        "updated_at": iso(assessment.updated_at),
        "submitted_at": iso(assessment.submitted_at),
        "last_saved_by": person(assessment.updated_by),
        "submitted_by": person(assessment.submitted_by),
        "helped_by_provider": person(assessment.provider),
        "current_page": assessment.current_page,
        "answers": assessment.answers,
        "prefilled_from": assessment.prefilled,
        "benchmarked_as": {
            "industry": labelled("industry", assessment.industry),
            "town": labelled("town", assessment.town),
            "size_class": labelled("size", assessment.size_class),
        } if submitted and assessment.industry else None,
        "is_latest": assessment.is_latest,
        "scores": _scores(session, assessment) if submitted else None,
        "campaign": assessment.campaign.name if assessment.campaign else None,
        "review": {
            "status": assessment.review_status, "flags": assessment.review_flags,
            "reviewed_at": iso(assessment.reviewed_at), "note": assessment.review_note,
            "reviewed_by": {"role": assessment.reviewed_by.role} if assessment.reviewed_by else None,
        } if assessment.review_status else None,
        "corrects": _public_id(session, assessment.corrects_id),
    }  # fmt: skip


def collect(session: Session, enterprise: Enterprise, by: User) -> dict[str, Any]:
    """Everything about `enterprise` as plain JSON values (see the README written beside it)."""
    assessments = session.scalars(
        select(Assessment)
        .where(Assessment.enterprise_id == enterprise.id)
        .order_by(Assessment.created_at, Assessment.id)
    ).all()
    known = {u.id: u for u in enterprise.users}
    for grant in session.scalars(
        select(ProviderGrant).where(ProviderGrant.enterprise_id == enterprise.id)
    ):
        known[grant.provider_id] = grant.provider
    return {
        "format": FORMAT,
        "exported_at": iso(utcnow()),
        "exported_by": by.email,
        "enterprise": _enterprise(enterprise),
        "users": [_user(u) for u in sorted(enterprise.users, key=lambda u: u.id)],
        "assessments": [_assessment(session, a) for a in assessments],
        "provider_grants": records.grants(session, enterprise),
        "invitations": records.invitations(session, enterprise),
        "campaign_lists": records.campaign_targets(session, enterprise),
        "api_tokens": records.api_tokens(session, enterprise),
        "audit_events": records.audit_events(
            session, enterprise, known, [a.public_id for a in assessments]
        ),
    }


def report_name(assessment: Assessment, timezone: str) -> str:
    """The PDF's path in the ZIP: local submit date, questionnaire, version and id (ASCII)."""
    when = assessment.submitted_at.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))
    return (
        f"{REPORTS_DIR}/{when:%Y-%m-%d}_{assessment.questionnaire_id}_"
        f"{assessment.questionnaire_version}_{assessment.public_id}.pdf"
    )


def build_zip(
    session: Session,
    enterprise: Enterprise,
    by: User,
    render: Callable[[Assessment], bytes | None],
    readme: str,
    timezone: str,
) -> bytes:
    """The ZIP: README.txt, my-data.json and the PDF of each submitted assessment (`render`
    returns None for one it cannot build, e.g. a questionnaire version no longer loaded; the
    JSON lists which PDFs are in the file)."""
    data = collect(session, enterprise, by)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        reports = {}
        for assessment in session.scalars(
            select(Assessment)
            .where(Assessment.enterprise_id == enterprise.id, Assessment.status == Status.SUBMITTED)
            .order_by(Assessment.submitted_at, Assessment.id)
        ):
            pdf = render(assessment)
            if pdf is not None:
                name = report_name(assessment, timezone)
                archive.writestr(name, pdf)
                reports[assessment.public_id] = name
        for item in data["assessments"]:
            item["report_file"] = reports.get(item["public_id"])
        archive.writestr(README_NAME, readme)
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return buffer.getvalue()
