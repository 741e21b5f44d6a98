"""Service providers (数字化服务商): an enterprise owner's grants to provider accounts to fill and
view on the enterprise's behalf, for a period, until revoked. No Flask.

A grant is active while it is neither revoked nor past `expires_at`; every request a provider makes
for an enterprise is checked against an active grant (`active_grant`), so revoking or expiry ends
access at once. The end date the owner picks is a local calendar day, kept inclusive: access ends
at the local midnight after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.enums import Role
from assessment.core.text import N_, Problem
from assessment.services import audit
from assessment.services.models import Assessment, Enterprise, ProviderGrant, User, utcnow

DEFAULT_DAYS = 90
MAX_DAYS = 366  # one year, leap years included
ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"
# Saves and submits a provider makes are audited under these actions.
WORK_ACTIONS = {"save": audit.PROVIDER_SAVE, "submit": audit.PROVIDER_SUBMIT}


class GrantError(Exception):
    """A grant that cannot be made as asked: `problem` says why, `field` where it is shown."""

    def __init__(self, field: str, problem: Problem) -> None:
        super().__init__(problem.message)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class GrantRow:
    """One grant as the owner's list shows it."""

    id: int
    provider_email: str
    organisation: str
    created_at: datetime
    ends_on: date
    revoked_at: datetime | None
    status: str  # ACTIVE, EXPIRED or REVOKED


def provider_name(user: User | None) -> str:
    """How a provider is named in the history, the audit log and the PDF: its organisation
    (its email when none was recorded); "" for no provider."""
    if user is None:
        return ""
    return user.organisation or user.email


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The local calendar day of `now` (naive UTC, default: now)."""
    return (now or utcnow()).replace(tzinfo=UTC).astimezone(tz).date()


def expiry_of(end: date, tz: ZoneInfo) -> datetime:
    """The naive-UTC instant access ends for an inclusive local end day: the midnight after it."""
    local = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def ends_on(expires_at: datetime, tz: ZoneInfo) -> date:
    """The last local day of access of a grant expiring at `expires_at` (inverse of expiry_of)."""
    last = expires_at - timedelta(microseconds=1)
    return last.replace(tzinfo=UTC).astimezone(tz).date()


def end_date_problem(end: date | None, today: date) -> Problem | None:
    """Why `end` cannot be a grant's last day, or None: not in the past, at most a year ahead."""
    if end is None:
        return Problem(N_("Enter the last day of access."))
    if end < today:
        return Problem(N_("This day is in the past. Choose today or a later day."))
    latest = today + timedelta(days=MAX_DAYS)
    if end > latest:
        return Problem(
            N_("Access can be granted for at most one year: choose a day up to %(last)s."),
            {"last": latest.isoformat()},
        )
    return None


def find_provider(session: Session, email: str) -> User | None:
    """The active service provider account with this email (case-insensitive), or None."""
    return session.scalar(
        select(User).where(
            func.lower(User.email) == email.strip().lower(),
            User.role == Role.PROVIDER,
            User.active.is_(True),
        )
    )


def active_grant(
    session: Session, provider_id: int, enterprise_id: int, now: datetime | None = None
) -> ProviderGrant | None:
    """The provider's grant from the enterprise that is in force now, or None."""
    return session.scalar(
        select(ProviderGrant)
        .where(
            ProviderGrant.provider_id == provider_id,
            ProviderGrant.enterprise_id == enterprise_id,
            ProviderGrant.revoked_at.is_(None),
            ProviderGrant.expires_at > (now or utcnow()),
        )
        .order_by(ProviderGrant.expires_at.desc())
        .limit(1)
    )


def grant(session: Session, enterprise: Enterprise, email: str, end: date | None, by: User,
          tz: ZoneInfo, ip: str | None = None) -> ProviderGrant:  # fmt: skip
    """Let the provider account with `email` fill and view for `enterprise` until the local day
    `end` (inclusive); an active grant to the same provider gets the new end day. Audited.

    Raises GrantError for a bad day, or an email that is not an active provider account: the
    same words whether or not the address has another kind of account (nothing more revealed).
    """
    problem = end_date_problem(end, today_in(tz))
    if problem is not None:
        raise GrantError("ends_on", problem)
    provider = find_provider(session, email)
    if provider is None:
        raise GrantError("email", Problem(N_(
            "No service provider account uses this email. Ask the provider for the email of "
            "its account here; provider accounts are created by the bureau."
        )))  # fmt: skip
    expires_at = expiry_of(end, tz)
    row = active_grant(session, provider.id, enterprise.id)
    if row is None:
        row = ProviderGrant(enterprise_id=enterprise.id, provider_id=provider.id,
                            granted_by_id=by.id, expires_at=expires_at)  # fmt: skip
        session.add(row)
    else:
        row.expires_at = expires_at
    session.flush()
    details = {"provider": provider.email, "organisation": provider.organisation,
               "enterprise": enterprise.name, "until": end.isoformat()}  # fmt: skip
    audit.record(session, by, audit.GRANT_PROVIDER, "enterprise", enterprise.public_id, details,
                 ip, commit=False)  # fmt: skip
    session.commit()
    return row


def revoke(session: Session, enterprise: Enterprise, grant_id: int, by: User,
           ip: str | None = None) -> ProviderGrant | None:  # fmt: skip
    """End one of the enterprise's active grants now (audited); None when it had already ended.
    LookupError when the enterprise made no such grant (another's grant is never touched)."""
    row = session.scalar(
        select(ProviderGrant).where(
            ProviderGrant.id == grant_id, ProviderGrant.enterprise_id == enterprise.id
        )
    )
    if row is None:
        raise LookupError(grant_id)
    if row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    row.revoked_at = utcnow()
    details = {"provider": row.provider.email, "organisation": row.provider.organisation,
               "enterprise": enterprise.name}  # fmt: skip
    audit.record(session, by, audit.REVOKE_PROVIDER, "enterprise", enterprise.public_id, details,
                 ip, commit=False)  # fmt: skip
    session.commit()
    return row


def grants_of(session: Session, enterprise: Enterprise, tz: ZoneInfo) -> list[GrantRow]:
    """Every grant the enterprise made: the active ones first, then the newest."""
    now = utcnow()
    rows = session.execute(
        select(ProviderGrant, User.email, User.organisation)
        .join(User, User.id == ProviderGrant.provider_id)
        .where(ProviderGrant.enterprise_id == enterprise.id)
        .order_by(ProviderGrant.created_at.desc(), ProviderGrant.id.desc())
    ).all()
    out = [
        GrantRow(
            id=g.id,
            provider_email=email,
            organisation=organisation,
            created_at=g.created_at,
            ends_on=ends_on(g.expires_at, tz),
            revoked_at=g.revoked_at,
            status=_status(g, now),
        )  # fmt: skip
        for g, email, organisation in rows
    ]
    return sorted(out, key=lambda row: row.status != ACTIVE)  # stable: newest first within


def _status(row: ProviderGrant, now: datetime) -> str:
    if row.revoked_at is not None:
        return REVOKED
    return ACTIVE if row.expires_at > now else EXPIRED


def granted_enterprises(
    session: Session, provider: User, tz: ZoneInfo
) -> list[tuple[Enterprise, date]]:
    """The enterprises whose grant to this provider is in force, by name, with the last day."""
    rows = session.execute(
        select(Enterprise, func.max(ProviderGrant.expires_at))
        .join(ProviderGrant, ProviderGrant.enterprise_id == Enterprise.id)
        .where(
            ProviderGrant.provider_id == provider.id,
            ProviderGrant.revoked_at.is_(None),
            ProviderGrant.expires_at > utcnow(),
        )
        .group_by(Enterprise.id)
        .order_by(Enterprise.name)
    ).all()
    return [(enterprise, ends_on(expires_at, tz)) for enterprise, expires_at in rows]


def record_work(session: Session, user: User, assessment: Assessment, kind: str,
                ip: str | None = None) -> None:  # fmt: skip
    """Audit a page saved or a submit (`kind` "save" or "submit") made by a service provider,
    naming the enterprise and the provider; nothing for anyone else."""
    if user.role != Role.PROVIDER:
        return
    details = {"enterprise": assessment.enterprise.public_id,
               "enterprise_name": assessment.enterprise.name,
               "provider": provider_name(user), "questionnaire": assessment.questionnaire_id}  # fmt: skip
    audit.record(session, user, WORK_ACTIONS[kind], "assessment", assessment.public_id, details, ip)


def record_denied(session: Session, user: User, enterprise_public_id: str,
                  ip: str | None = None) -> None:  # fmt: skip
    """Audit a provider's attempt at an enterprise that has no grant in force for it."""
    audit.record(session, user, audit.PROVIDER_DENIED, "enterprise", enterprise_public_id,
                 {"provider": provider_name(user)}, ip)  # fmt: skip
