"""My data, the records other parts of the product keep about an enterprise: service-provider
grants, invitations, the bureau's campaign lists and reminders, API tokens and the audit log. Each
is written out field by field, so a new secret column never leaves by default. No Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assessment.core import enterprise as ent
from assessment.core.enums import Role
from assessment.services.models import (
    ApiToken,
    AuditEvent,
    CampaignReminder,
    CampaignTarget,
    Enterprise,
    Invitation,
    ProviderGrant,
    User,
)


def iso(when: datetime | date | None) -> str | None:
    """A stored (naive UTC) time or a date as ISO 8601."""
    if isinstance(when, datetime):
        return when.replace(tzinfo=UTC).isoformat(timespec="seconds")
    return when.isoformat() if when else None


def labelled(kind: str, code: str | None) -> dict[str, str] | None:
    """A town, industry or size code with its Chinese and English names."""
    if code is None:
        return None
    label = {"town": ent.town_label, "industry": ent.industry_label, "size": ent.size_label}[kind]
    return {"code": code, "zh": label(code, "zh"), "en": label(code, "en")}


def person(user: User | None) -> dict[str, Any] | None:
    """Someone of the enterprise (or a provider it granted) as named in the export."""
    if user is None:
        return None
    return {"email": user.email, "name": user.label, "role": user.role,
            **({"organisation": user.organisation} if user.organisation else {})}  # fmt: skip


def user_by_id(session: Session, user_id: int | None) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id) if user_id else None


def grants(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    """Service providers given access: who, by whom, until when, revoked when."""
    rows = session.scalars(
        select(ProviderGrant)
        .where(ProviderGrant.enterprise_id == enterprise.id)
        .order_by(ProviderGrant.created_at, ProviderGrant.id)
    )
    return [
        {
            "provider": person(g.provider),
            "granted_by": person(user_by_id(session, g.granted_by_id)),
            "created_at": iso(g.created_at),
            "expires_at": iso(g.expires_at),
            "revoked_at": iso(g.revoked_at),
        }
        for g in rows
    ]


def invitations(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    """Colleagues invited (never the token)."""
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.enterprise_id == enterprise.id)
        .order_by(Invitation.created_at, Invitation.id)
    )
    return [
        {
            "email": i.email,
            "invited_by": person(user_by_id(session, i.invited_by_id)),
            "created_at": iso(i.created_at),
            "expires_at": iso(i.expires_at),
            "accepted_at": iso(i.accepted_at),
            "revoked_at": iso(i.revoked_at),
        }
        for i in rows
    ]


def campaign_targets(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    """The bureau's campaign lists naming the enterprise (bound to it, or with its credit code),
    as imported, with the reminders mailed; never the personal invitation code."""
    rows = session.scalars(
        select(CampaignTarget)
        .where(
            or_(
                CampaignTarget.enterprise_id == enterprise.id,
                CampaignTarget.uscc == enterprise.uscc,
            )
        )
        .order_by(CampaignTarget.created_at, CampaignTarget.id)
    ).all()
    reminders = session.scalars(
        select(CampaignReminder)
        .where(CampaignReminder.target_id.in_([t.id for t in rows]))
        .order_by(CampaignReminder.sent_at, CampaignReminder.id)
    ).all() if rows else []  # fmt: skip
    return [{
        "campaign": {"name": t.campaign.name, "questionnaires": t.campaign.questionnaire_ids,
                     "starts_on": iso(t.campaign.starts_on), "ends_on": iso(t.campaign.ends_on)},
        "as_imported": {"uscc": t.uscc, "name": t.name, "town": labelled("town", t.town),
                        "industry": labelled("industry", t.industry),
                        "size_class": labelled("size", t.size_class), "employees": t.employees,
                        "revenue_wan": t.revenue_wan, "contact_name": t.contact_name,
                        "contact_phone": t.contact_phone, "contact_email": t.contact_email},
        "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
        "reminders": [{"kind": r.kind, "email": r.email, "sent_at": iso(r.sent_at), "sent": r.ok}
                      for r in reminders if r.target_id == t.id],
    } for t in rows]  # fmt: skip


def api_tokens(session: Session, enterprise: Enterprise) -> list[dict[str, Any]]:
    """Its users' API tokens: name, first characters, scopes and dates (never the token)."""
    user_ids = [u.id for u in enterprise.users]
    if not user_ids:
        return []
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id.in_(user_ids)).order_by(ApiToken.id)
    )
    return [{"user": t.user.email, "name": t.name, "prefix": t.prefix, "scopes": t.scopes,
             "created_at": iso(t.created_at), "expires_at": iso(t.expires_at),
             "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
            for t in rows]  # fmt: skip


def audit_events(session: Session, enterprise: Enterprise, known: dict[int, User],
                 assessment_ids: list[str]) -> list[dict[str, Any]]:  # fmt: skip
    """Events about the enterprise, its assessments or its users, and what its users did there.
    Staff who looked at the data are named by role; the enterprise's own people and the
    providers it granted (`known`) by address, and only its own people's network addresses."""
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
        actor = user_by_id(session, event.user_id)
        named = actor is not None and actor.id in known
        rows.append({
            "at": iso(event.at), "action": event.action,
            "by": person(actor) if named else ({"role": actor.role} if actor else None),
            "target_type": event.target_type, "target_id": event.target_id,
            "details": event.details, "note": event.note,
            "ip": event.ip if named and actor.role == Role.ENTERPRISE else None,
        })  # fmt: skip
    return rows
