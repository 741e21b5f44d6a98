"""The enterprise profile: the owner's edits (the size class recomputed with the statistical rule)
and an administrator's correction of the 统一社会信用代码, each audited with the old and new values.
No Flask.

A change applies from the next submit: `services.surveys.submit` copies the enterprise's industry,
town and size class onto the assessment as it is submitted (drafts started earlier included), and
a submitted assessment keeps the cohort it was benchmarked in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.enterprise import is_industry, is_town, size_class
from assessment.core.text import N_, Problem
from assessment.core.uscc import validate_uscc
from assessment.services import audit
from assessment.services.cache import bump_generation
from assessment.services.models import AuditEvent, Enterprise, User

TARGET = "enterprise"


@dataclass(frozen=True)
class Profile:
    """What the owner may edit (the size class follows from employees and revenue)."""

    name: str
    contact_name: str
    contact_phone: str
    town: str
    industry: str
    employees: int
    revenue_wan: float


def current(enterprise: Enterprise) -> Profile:
    """The enterprise's profile as stored."""
    return Profile(
        name=enterprise.name,
        contact_name=enterprise.contact_name,
        contact_phone=enterprise.contact_phone,
        town=enterprise.town,
        industry=enterprise.industry,
        employees=enterprise.employees,
        revenue_wan=enterprise.revenue_wan,
    )


def update_profile(
    session: Session, enterprise: Enterprise, profile: Profile, by: User, ip: str | None = None
) -> dict[str, list]:
    """Store the owner's edit and audit it; returns the changed fields as {field: [old, new]},
    the size class among them when it moved. Nothing is written when nothing changed.

    The form has checked every value; a value it cannot have let through (an unknown town or
    industry, a negative figure) raises ValueError rather than reaching the database.
    """
    if not is_town(profile.town) or not is_industry(profile.industry):
        raise ValueError(f"unknown town or industry: {profile.town!r}, {profile.industry!r}")
    wanted = asdict(profile)
    for key in ("name", "contact_name", "contact_phone"):
        wanted[key] = wanted[key].strip()
    wanted["revenue_wan"] = float(wanted["revenue_wan"])
    wanted["size_class"] = size_class(profile.employees, wanted["revenue_wan"])
    changes = {
        key: [getattr(enterprise, key), value]
        for key, value in wanted.items()
        if getattr(enterprise, key) != value
    }
    if not changes:
        return {}
    for key, (_old, new) in changes.items():
        setattr(enterprise, key, new)
    audit.record(
        session, by, audit.UPDATE_PROFILE, TARGET, enterprise.public_id,
        {"changes": changes}, ip, commit=False,
    )  # fmt: skip
    if "town" in changes:  # a town officer's figures count enterprises by their town now
        bump_generation(session, history=True)
    session.commit()
    return changes


def figures_changed_at(session: Session, enterprise: Enterprise) -> datetime | None:
    """When the owner last changed the employees or revenue (from the audit log), or None."""
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.action == audit.UPDATE_PROFILE,
            AuditEvent.target_type == TARGET,
            AuditEvent.target_id == enterprise.public_id,
        )
        .order_by(AuditEvent.at.desc())
    )
    for at, details in rows:
        if set((details or {}).get("changes", {})) & {"employees", "revenue_wan"}:
            return at
    return None


TAKEN = N_("Another enterprise (%(name)s) is registered with this code.")


def correct_uscc(
    session: Session, enterprise: Enterprise, raw: str, reason: str, by: User,
    ip: str | None = None,
) -> Problem | None:  # fmt: skip
    """An administrator corrects the enterprise's 统一社会信用代码: a valid code no other enterprise
    holds, with the reason kept in the audit note. Returns why it was refused, or None;
    ValueError without a reason (the form asks for one)."""
    if not reason.strip():
        raise ValueError("a correction needs a reason")
    code, problems = validate_uscc(raw)
    if problems:
        return problems[0]
    if code == enterprise.uscc:
        return Problem(N_("This is already the enterprise's code."))
    other = session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if other is not None:
        return Problem(TAKEN, {"name": other.name})
    old, enterprise.uscc = enterprise.uscc, code
    event = audit.record(
        session, by, audit.CORRECT_USCC, TARGET, enterprise.public_id,
        {"uscc": [old, code], "enterprise": enterprise.name}, ip, commit=False,
    )  # fmt: skip
    event.note = reason.strip()
    try:
        session.commit()
    except IntegrityError:
        # Registered by someone else between the check and the commit (the column is unique).
        session.rollback()
        return Problem(N_("Another enterprise is registered with this code."))
    return None
