"""Campaigns (填报任务): creating and editing them, their targets' invitation codes, binding a
registered enterprise to its targets, and where each target stands. No Flask.

A target is bound to an enterprise in three ways: by its personal invitation code at
registration, by the same credit code at registration (`bind_enterprise`), and by the same credit
code at import when the enterprise registered first (`target_import.commit`).
"""

from __future__ import annotations

import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from assessment.core.enums import Membership, Review, Role, Status
from assessment.services.models import (
    Assessment,
    Campaign,
    CampaignTarget,
    Enterprise,
    User,
    utcnow,
)

# Invitation codes: 12 characters of 32 that are hard to confuse when read off paper (no 0/O,
# 1/I/L): 60 bits, far beyond guessing at the throttled rate of the code page.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12

# Where a target stands (`target_states`), in the order of the campaign's progress.
UNREGISTERED = "unregistered"
REGISTERED = "registered"  # bound to an enterprise that has not started
STARTED = "started"  # a draft, or some but not all questionnaires submitted
SUBMITTED = "submitted"  # every questionnaire of the campaign submitted in the campaign
STATES = (UNREGISTERED, REGISTERED, STARTED, SUBMITTED)


@dataclass
class CampaignData:
    """What the bureau types for a campaign."""

    name: str
    description: str
    questionnaire_ids: list[str]
    starts_on: date
    ends_on: date


def new_invite_code() -> str:
    """A fresh random invitation code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A typed code as stored: full-width characters, spaces and hyphens removed, upper case."""
    folded = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(c for c in folded if c.isalnum())


def format_code(code: str) -> str:
    """A code as printed, in groups of four: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def create(
    session: Session, data: CampaignData, by: User | None, is_demo: bool = False
) -> Campaign:
    """Create a campaign and commit it."""
    campaign = Campaign(created_by_id=by.id if by is not None else None, is_demo=is_demo)
    _apply(campaign, data)
    session.add(campaign)
    session.commit()
    return campaign


def update_campaign(session: Session, campaign: Campaign, data: CampaignData) -> None:
    """Change a campaign's name, questionnaires, dates and description, and commit."""
    _apply(campaign, data)
    session.commit()


def _apply(campaign: Campaign, data: CampaignData) -> None:
    campaign.name = " ".join(data.name.split())
    campaign.description = data.description.strip()
    campaign.questionnaire_ids = list(data.questionnaire_ids)
    campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on


def by_public_id(session: Session, public_id: str, with_demo: bool) -> Campaign | None:
    """A campaign by its id in URLs; demo campaigns only when `with_demo` (demo mode)."""
    campaign = session.scalar(select(Campaign).where(Campaign.public_id == public_id))
    if campaign is None or (campaign.is_demo and not with_demo):
        return None
    return campaign


@dataclass
class CampaignRow:
    """A campaign in the list, with its number of targets and of bound (registered) ones."""

    campaign: Campaign
    targets: int
    registered: int


def listing(session: Session, with_demo: bool) -> list[CampaignRow]:
    """Every campaign, the latest ending first, with its counts (one query)."""
    counts = (
        select(
            CampaignTarget.campaign_id,
            func.count(CampaignTarget.id).label("targets"),
            func.count(CampaignTarget.enterprise_id).label("registered"),
        )
        .group_by(CampaignTarget.campaign_id)
        .subquery()
    )
    stmt = (
        select(Campaign, counts.c.targets, counts.c.registered)
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .order_by(Campaign.ends_on.desc(), Campaign.id.desc())
    )
    if not with_demo:
        stmt = stmt.where(Campaign.is_demo.is_(False))
    return [CampaignRow(c, t or 0, r or 0) for c, t, r in session.execute(stmt)]


def target_by_code(session: Session, raw_code: str) -> CampaignTarget | None:
    """The target whose invitation code this is (as typed or printed), or None."""
    code = normalise_code(raw_code)
    if len(code) != CODE_LENGTH:
        return None
    return session.scalar(select(CampaignTarget).where(CampaignTarget.invite_code == code))


def bind_enterprise(
    session: Session, enterprise: Enterprise, invite_code: str | None = None
) -> int:
    """Bind a newly registered enterprise to its targets: the one whose invitation code it
    registered with, and every unbound target with its credit code. Flushes, does not commit (the
    registration's transaction does). Returns how many targets were bound."""
    session.flush()  # the enterprise needs its id
    match = and_(CampaignTarget.uscc == enterprise.uscc, CampaignTarget.enterprise_id.is_(None))
    code = normalise_code(invite_code or "")
    if code:
        match = or_(match, and_(CampaignTarget.invite_code == code,
                                CampaignTarget.enterprise_id.is_(None)))  # fmt: skip
    result = session.execute(
        update(CampaignTarget)
        .where(match)
        .values(enterprise_id=enterprise.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def running_for(session: Session, enterprise_id: int, today: date) -> list[Campaign]:
    """The campaigns running today that list this enterprise (bound), ending soonest first."""
    stmt = (
        select(Campaign)
        .join(CampaignTarget, CampaignTarget.campaign_id == Campaign.id)
        .where(
            CampaignTarget.enterprise_id == enterprise_id,
            Campaign.starts_on <= today,
            Campaign.ends_on >= today,
        )
        .order_by(Campaign.ends_on, Campaign.id)
    )
    return list(session.scalars(stmt).unique())


def _campaign_work(session: Session, campaign: Campaign) -> dict[int, dict[str, set[str]]]:
    """Per target id: the campaign's questionnaires it has a draft of, and has submitted for the
    campaign (tagged with it at submit, or submitted since it started; not returned)."""
    since = datetime.combine(campaign.starts_on, datetime.min.time())
    counted = or_(
        Assessment.status == Status.DRAFT,
        and_(
            Assessment.status == Status.SUBMITTED,
            or_(Assessment.campaign_id == campaign.id, Assessment.submitted_at >= since),
            or_(Assessment.review_status.is_(None), Assessment.review_status != Review.RETURNED),
        ),
    )
    stmt = (
        select(CampaignTarget.id, Assessment.questionnaire_id, Assessment.status)
        .join(Assessment, Assessment.enterprise_id == CampaignTarget.enterprise_id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            Assessment.questionnaire_id.in_(campaign.questionnaire_ids or [""]),
            counted,
        )
    )
    work: dict[int, dict[str, set[str]]] = {}
    for target_id, questionnaire_id, status in session.execute(stmt):
        work.setdefault(target_id, {}).setdefault(status, set()).add(questionnaire_id)
    return work


def target_states(session: Session, campaign: Campaign) -> dict[int, str]:
    """Where each target of the campaign stands, by target id (one of STATES)."""
    work = _campaign_work(session, campaign)
    wanted = set(campaign.questionnaire_ids)
    states = {}
    rows = session.execute(
        select(CampaignTarget.id, CampaignTarget.enterprise_id).where(
            CampaignTarget.campaign_id == campaign.id
        )
    )
    for target_id, enterprise_id in rows:
        done = work.get(target_id, {})
        if enterprise_id is None:
            states[target_id] = UNREGISTERED
        elif wanted and wanted <= done.get(Status.SUBMITTED, set()):
            states[target_id] = SUBMITTED
        elif done:
            states[target_id] = STARTED
        else:
            states[target_id] = REGISTERED
    return states


def state_counts(states: dict[int, str]) -> dict[str, int]:
    """How many targets stand at each state (every state present, zero included)."""
    counts = Counter(states.values())
    return {state: counts.get(state, 0) for state in STATES}


def targets_page(
    session: Session, campaign: Campaign, limit: int, offset: int, search: str | None = None
) -> tuple[list[CampaignTarget], int]:
    """One page of the campaign's targets by town and name, and how many match `search`
    (part of the name or the credit code)."""
    stmt = select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id)
    if search:
        like = f"%{search}%"
        stmt = stmt.where(or_(CampaignTarget.name.like(like), CampaignTarget.uscc.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = session.scalars(
        stmt.order_by(CampaignTarget.town, CampaignTarget.name, CampaignTarget.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(page), total


def invitation_targets(session: Session, campaign: Campaign, unregistered_only: bool) -> list:
    """The targets to invite (letters, mail merge), by town and name."""
    stmt = select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id)
    if unregistered_only:
        stmt = stmt.where(CampaignTarget.enterprise_id.is_(None))
    return list(session.scalars(stmt.order_by(CampaignTarget.town, CampaignTarget.name)))


def owner_emails(session: Session, enterprise_ids: list[int]) -> dict[int, str]:
    """The owner's sign-in address of each enterprise (for reminders when the list has none)."""
    found: dict[int, str] = {}
    for start in range(0, len(enterprise_ids), 1000):
        rows = session.execute(
            select(User.enterprise_id, User.email)
            .where(
                User.enterprise_id.in_(enterprise_ids[start : start + 1000]),
                User.role == Role.ENTERPRISE,
                or_(User.membership.is_(None), User.membership == Membership.OWNER),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
        for enterprise_id, email in rows:
            found.setdefault(enterprise_id, email)
    return found
