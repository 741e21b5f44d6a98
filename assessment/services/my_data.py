"""My data: everything the product holds about one enterprise, as a ZIP of one JSON file, a README
and the PDF report of every submitted assessment. No Flask.

The PDFs are made by the caller (`render`), since building a report is the web layer's business
(services do not import `reports`). Secrets never leave: no password hashes, TOTP secrets,
recovery codes, invitation tokens or session versions.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assessment.core import enterprise as ent
from assessment.core.enums import Role, Status
from assessment.services.models import (
    Assessment,
    AuditEvent,
    DimensionScore,
    Enterprise,
    Invitation,
    ProviderGrant,
    QuestionScore,
    User,
    utcnow,
)

FORMAT = "cixi-digital-assessment/my-data/1"
JSON_NAME = "my-data.json"
README_NAME = "README.txt"
REPORTS_DIR = "reports"


def _iso(when: datetime | None) -> str | None:
    # Stored times are naive UTC.
    return when.replace(tzinfo=UTC).isoformat(timespec="seconds") if when else None


def _labelled(kind: str, code: str) -> dict[str, str]:
    label = {"town": ent.town_label, "industry": ent.industry_label, "size": ent.size_label}[kind]
    return {"code": code, "zh": label(code, "zh"), "en": label(code, "en")}


def _enterprise(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "public_id": enterprise.public_id,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "town": _labelled("town", enterprise.town),
        "industry": _labelled("industry", enterprise.industry),
        "employees": enterprise.employees,
        "revenue_wan": enterprise.revenue_wan,
        "size_class": _labelled("size", enterprise.size_class),
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "registered_at": _iso(enterprise.created_at),
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
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "email_verified_at": _iso(user.email_verified_at),
        "two_step_verification_since": _iso(user.totp_enabled_at),
    }


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"email": user.email, "name": user.label, "role": user.role,
            **({"organisation": user.organisation} if user.organisation else {})}  # fmt: skip


def _user_by_id(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id else None


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


def _assessment(session: Session, assessment: Assessment) -> dict[str, Any]:
    submitted = assessment.status == Status.SUBMITTED
    return {
        "public_id": assessment.public_id,
        "questionnaire": assessment.questionnaire_id,
        "questionnaire_version": assessment.questionnaire_version,
        "status": assessment.status,
        "created_at": _iso(assessment.created_at),
        "updated_at": _iso(assessment.updated_at),
        "submitted_at": _iso(assessment.submitted_at),
        "last_saved_by": _person(assessment.updated_by),
        "submitted_by": _person(assessment.submitted_by),
        "helped_by_provider": _person(assessment.provider),
        "current_page": assessment.current_page,
        "answers": assessment.answers,
        "prefilled_from": assessment.prefilled,
        "benchmarked_as": {
            "industry": _labelled("industry", assessment.industry),
            "town": _labelled("town", assessment.town),
            "size_class": _labelled("size", assessment.size_class),
        } if submitted and assessment.industry else None,
        "is_latest": assessment.is_latest,
        "scores": _scores(session, assessment) if submitted else None,
    }  # fmt: skip


def _grants(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    grants = session.scalars(
        select(ProviderGrant)
        .where(ProviderGrant.enterprise_id == enterprise.id)
        .order_by(ProviderGrant.created_at, ProviderGrant.id)
    )
    return [
        {
            "provider": _person(g.provider),
            "granted_by": _person(_user_by_id(session, g.granted_by_id)),
            "created_at": _iso(g.created_at),
            "expires_at": _iso(g.expires_at),
            "revoked_at": _iso(g.revoked_at),
        }
        for g in grants
    ]


def _invitations(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    invitations = session.scalars(
        select(Invitation)
        .where(Invitation.enterprise_id == enterprise.id)
        .order_by(Invitation.created_at, Invitation.id)
    )
    return [
        {
            "email": i.email,
            "invited_by": _person(_user_by_id(session, i.invited_by_id)),
            "created_at": _iso(i.created_at),
            "expires_at": _iso(i.expires_at),
            "accepted_at": _iso(i.accepted_at),
            "revoked_at": _iso(i.revoked_at),
        }
        for i in invitations
    ]


def _audit_events(session: Session, enterprise: Enterprise, known: dict[int, User],
                  assessment_ids: list[str]) -> list[dict[str, Any]]:  # fmt: skip
    """Events about the enterprise, its assessments or its users, and what its users did there.
    Staff who looked at the data are named by role; the enterprise's own people and the
    providers it granted by address."""
    user_ids = [u.id for u in enterprise.users]
    about = [
        and_(AuditEvent.target_type == "enterprise", AuditEvent.target_id == enterprise.public_id)
    ]
    if user_ids:
        about.append(AuditEvent.user_id.in_(user_ids))
        about.append(and_(AuditEvent.target_type == "user",
                          AuditEvent.target_id.in_([str(i) for i in user_ids])))  # fmt: skip
    if assessment_ids:
        about.append(and_(AuditEvent.target_type == "assessment",
                          AuditEvent.target_id.in_(assessment_ids)))  # fmt: skip
    events = session.scalars(
        select(AuditEvent).where(or_(*about)).order_by(AuditEvent.at, AuditEvent.id)
    )
    ours_targets = {"enterprise": {enterprise.public_id}, "assessment": set(assessment_ids)}
    rows = []
    for event in events:
        if (
            event.target_type in ours_targets
            and event.target_id not in ours_targets[event.target_type]
        ):
            continue  # something one of its users did elsewhere is not this enterprise's data
        actor = _user_by_id(session, event.user_id)
        named = actor is not None and actor.id in known
        rows.append({
            "at": _iso(event.at), "action": event.action,
            "by": _person(actor) if named else ({"role": actor.role} if actor else None),
            "target_type": event.target_type, "target_id": event.target_id,
            "details": event.details, "note": event.note,
            "ip": event.ip if named and actor.role == Role.ENTERPRISE else None,
        })  # fmt: skip
    return rows


def collect(session: Session, enterprise: Enterprise, by: User) -> dict[str, Any]:
    """Everything about `enterprise` as plain JSON values (see the README written beside it)."""
    assessments = session.scalars(
        select(Assessment)
        .where(Assessment.enterprise_id == enterprise.id)
        .order_by(Assessment.created_at, Assessment.id)
    ).all()
    grants = _grants(session, enterprise)
    known = {u.id: u for u in enterprise.users}
    for grant in session.scalars(
        select(ProviderGrant).where(ProviderGrant.enterprise_id == enterprise.id)
    ):
        known[grant.provider_id] = grant.provider
    return {
        "format": FORMAT,
        "exported_at": _iso(utcnow()),
        "exported_by": by.email,
        "enterprise": _enterprise(enterprise),
        "users": [_user(u) for u in sorted(enterprise.users, key=lambda u: u.id)],
        "assessments": [_assessment(session, a) for a in assessments],
        "provider_grants": grants,
        "invitations": _invitations(session, enterprise),
        "audit_events": _audit_events(
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
