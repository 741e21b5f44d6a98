"""Reminders to a campaign's targets that have not started or not submitted: who is due one (at
most one per target per week), and the log of every attempt. No Flask: the mail itself is sent by
the web layer (`web/campaigns/reminders.py`), which logs each attempt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.services.campaigns import (
    REGISTERED,
    STARTED,
    UNREGISTERED,
    owner_emails,
    target_states,
)
from assessment.services.models import Campaign, CampaignReminder, CampaignTarget, utcnow

INTERVAL = timedelta(days=7)
NOT_STARTED = "not_started"
NOT_SUBMITTED = "not_submitted"
# A target's state → the reminder it gets (submitted targets get none).
KIND_FOR_STATE = {UNREGISTERED: NOT_STARTED, REGISTERED: NOT_STARTED, STARTED: NOT_SUBMITTED}


@dataclass
class Due:
    """A reminder to send: to whom, of which kind, and whether they still need to register."""

    target: CampaignTarget
    kind: str
    email: str
    registered: bool


@dataclass
class DueList:
    """The reminders due now, and the targets left out (reminded this week, no address)."""

    due: list[Due]
    recent: int
    no_email: int


def recently_reminded(session: Session, campaign: Campaign, now: datetime) -> set[int]:
    """Targets of the campaign reminded successfully within the last week."""
    stmt = (
        select(CampaignReminder.target_id)
        .join(CampaignTarget, CampaignTarget.id == CampaignReminder.target_id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            CampaignReminder.ok.is_(True),
            CampaignReminder.sent_at > now - INTERVAL,
        )
    )
    return set(session.scalars(stmt))


def due(session: Session, campaign: Campaign, now: datetime | None = None) -> DueList:
    """Who gets a reminder now: targets not started or not submitted, not reminded within a
    week, with an address (the list's, else the registered owner's)."""
    now = now or utcnow()
    states = target_states(session, campaign)
    recent = recently_reminded(session, campaign, now)
    wanted = {t for t, state in states.items() if state in KIND_FOR_STATE}
    targets = [
        t
        for t in session.scalars(
            select(CampaignTarget)
            .where(CampaignTarget.campaign_id == campaign.id)
            .order_by(CampaignTarget.town, CampaignTarget.name)
        )
        if t.id in wanted and t.id not in recent
    ]
    owners = owner_emails(session, [t.enterprise_id for t in targets if t.enterprise_id])
    result = DueList([], len(wanted & recent), 0)
    for target in targets:
        email = target.contact_email or owners.get(target.enterprise_id, "")
        if not email:
            result.no_email += 1
            continue
        kind = KIND_FOR_STATE[states[target.id]]
        result.due.append(Due(target, kind, email, target.enterprise_id is not None))
    return result


def log(session: Session, item: Due, ok: bool, by_id: int | None) -> None:
    """Record one attempt and commit it at once (so a crash half-way never sends twice)."""
    session.add(CampaignReminder(target_id=item.target.id, kind=item.kind, email=item.email,
                                 ok=ok, sent_by_id=by_id, sent_at=utcnow()))  # fmt: skip
    session.commit()


def history(session: Session, campaign: Campaign) -> dict[str, int]:
    """How many reminders were sent and how many failed, over the campaign's life."""
    rows = session.execute(
        select(CampaignReminder.ok, func.count())
        .join(CampaignTarget, CampaignTarget.id == CampaignReminder.target_id)
        .where(CampaignTarget.campaign_id == campaign.id)
        .group_by(CampaignReminder.ok)
    )
    counts = {"sent": 0, "failed": 0}
    for ok, number in rows:
        counts["sent" if ok else "failed"] += number
    return counts


def last_reminded(session: Session, target_ids: list[int]) -> dict[int, datetime]:
    """When each of these targets was last reminded successfully."""
    if not target_ids:
        return {}
    rows = session.execute(
        select(CampaignReminder.target_id, func.max(CampaignReminder.sent_at))
        .where(CampaignReminder.target_id.in_(target_ids), CampaignReminder.ok.is_(True))
        .group_by(CampaignReminder.target_id)
    )
    return dict(rows.all())
