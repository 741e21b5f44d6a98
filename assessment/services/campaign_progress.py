"""A campaign's progress: per target, how far it got; by town and by industry, how many targets
registered, started, submitted and were approved; and the laggards the 镇街 should call. No Flask.

Each target has one status, the furthest it reached (so the counts nest: approved ⊆ submitted ⊆
started ⊆ registered ⊆ targets):

* `not_registered` — no enterprise is bound to the target yet;
* `not_started` — bound, but no assessment of a campaign questionnaire begun since the start;
* `in_progress` — a draft (or some, not all, questionnaires submitted);
* `returned` — a campaign submission was returned for correction and not submitted again;
* `submitted` — every campaign questionnaire submitted (awaiting review, or not in review);
* `approved` — every campaign questionnaire's submission approved.

A questionnaire counts as submitted by its latest submission made for this campaign
(`campaign_id`), or made in the campaign's dates outside any campaign (an enterprise bound after it
submitted). The completion rate is submitted ÷ targets. Towns and industries are the target
list's (what the 镇街 works from); a town officer sees the targets of their towns only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assessment.core.enums import Review, Status
from assessment.services.models import Assessment, Campaign, CampaignTarget, Enterprise
from assessment.services.review import CAMPAIGN_ZONE
from assessment.services.town_officers import Scope

NOT_REGISTERED, NOT_STARTED, IN_PROGRESS = "not_registered", "not_started", "in_progress"
RETURNED, SUBMITTED, APPROVED = "returned", "submitted", "approved"
STATUSES = (NOT_REGISTERED, NOT_STARTED, IN_PROGRESS, RETURNED, SUBMITTED, APPROVED)
LAGGING = (NOT_REGISTERED, NOT_STARTED, IN_PROGRESS, RETURNED)


def utc_start_of(day: date) -> datetime:
    """Local midnight (Cixi) at the start of `day`, as naive UTC (what the columns store)."""
    return datetime.combine(day, time.min, CAMPAIGN_ZONE).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Target:
    """What progress needs of a target (plain columns: 10,000 ORM objects cost a second), with
    the registered enterprise's name and contact for a list that has none."""

    id: int
    uscc: str
    name: str
    town: str
    industry: str
    contact_name: str
    contact_phone: str
    contact_email: str
    enterprise_id: int | None
    enterprise_name: str | None
    enterprise_contact: str | None
    enterprise_phone: str | None

    @property
    def display_name(self) -> str:
        """The registered enterprise's name, else the list's."""
        return self.enterprise_name or self.name

    @property
    def contact(self) -> str:
        """The list's contact person, else the registered enterprise's."""
        return self.contact_name or self.enterprise_contact or ""

    @property
    def phone(self) -> str:
        """The list's phone, else the registered enterprise's."""
        return self.contact_phone or self.enterprise_phone or ""


@dataclass
class TargetState:
    """One target and how far it got; `last_activity` is its latest save or submit."""

    target: Target
    status: str
    last_activity: datetime | None = None


@dataclass
class GroupRow:
    """The counts of one town or industry (or of everyone: key "")."""

    key: str
    targets: int = 0
    registered: int = 0
    started: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0

    @property
    def rate(self) -> float | None:
        """Completion: submitted ÷ targets (None without targets)."""
        return self.submitted / self.targets if self.targets else None

    def add(self, status: str) -> None:
        """Count one target of this status (the counts nest)."""
        self.targets += 1
        self.registered += status != NOT_REGISTERED
        self.started += status not in (NOT_REGISTERED, NOT_STARTED)
        self.submitted += status in (SUBMITTED, APPROVED)
        self.approved += status == APPROVED
        self.returned += status == RETURNED


@dataclass
class Progress:
    campaign: Campaign
    total: GroupRow
    by_town: list[GroupRow]
    by_industry: list[GroupRow]
    laggards: dict[str, list[TargetState]] = field(default_factory=dict)  # by town


def _window(campaign: Campaign) -> tuple[datetime, datetime]:
    return utc_start_of(campaign.starts_on), utc_start_of(campaign.ends_on + timedelta(days=1))


def _activity(session: Session, campaign: Campaign) -> dict[int, list]:
    """The bound enterprises' assessments of the campaign's questionnaires that count for it,
    by enterprise id (only the columns the status needs: never the answers)."""
    start, end = _window(campaign)
    bound = select(CampaignTarget.enterprise_id).where(
        CampaignTarget.campaign_id == campaign.id, CampaignTarget.enterprise_id.is_not(None)
    )
    for_campaign = or_(
        Assessment.campaign_id == campaign.id,
        and_(Assessment.campaign_id.is_(None), Assessment.created_at >= start),
        and_(Assessment.campaign_id.is_(None), Assessment.submitted_at >= start,
             Assessment.submitted_at < end),
    )  # fmt: skip
    rows = session.execute(
        select(Assessment.enterprise_id, Assessment.questionnaire_id, Assessment.status,
               Assessment.campaign_id, Assessment.review_status, Assessment.submitted_at,
               Assessment.updated_at, Assessment.id)
        .where(Assessment.enterprise_id.in_(bound),
               Assessment.questionnaire_id.in_(list(campaign.questionnaire_ids or ())), for_campaign)
    )  # fmt: skip
    found: dict[int, list] = defaultdict(list)
    for row in rows:
        found[row.enterprise_id].append(row)
    return found


def _counted_submission(row, campaign: Campaign, end: datetime) -> bool:
    if row.status != Status.SUBMITTED:
        return False
    return row.campaign_id == campaign.id or (row.campaign_id is None and row.submitted_at < end)


def status_of(rows: list, campaign: Campaign) -> tuple[str, datetime | None]:
    """A bound target's status from its enterprise's assessments (`_activity` rows), and the
    time of its latest save or submit."""
    if not rows:
        return NOT_STARTED, None
    _start, end = _window(campaign)
    latest_activity = max(r.submitted_at or r.updated_at for r in rows)
    states = []
    for qid in campaign.questionnaire_ids or ():
        mine = [
            r for r in rows if r.questionnaire_id == qid and _counted_submission(r, campaign, end)
        ]
        if not mine:
            states.append(None)
            continue
        last = max(mine, key=lambda r: (r.submitted_at, r.id))
        states.append(last.review_status or SUBMITTED)
    if states and all(s == Review.APPROVED for s in states):
        return APPROVED, latest_activity
    if states and all(s in (Review.APPROVED, Review.PENDING, SUBMITTED) for s in states):
        return SUBMITTED, latest_activity
    if Review.RETURNED in states:
        return RETURNED, latest_activity
    return IN_PROGRESS, latest_activity


def target_states(session: Session, campaign: Campaign, scope: Scope,
                  town: str | None = None) -> list[TargetState]:  # fmt: skip
    """Every target of the campaign within `scope` (and `town`, when given) with its status, by
    town, then name."""
    t = CampaignTarget
    stmt = (
        select(t.id, t.uscc, t.name, t.town, t.industry, t.contact_name, t.contact_phone,
               t.contact_email, t.enterprise_id, Enterprise.name, Enterprise.contact_name,
               Enterprise.contact_phone)
        .outerjoin(Enterprise, Enterprise.id == t.enterprise_id)
        .where(t.campaign_id == campaign.id)
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(t.town.in_(sorted(scope)))
    if town is not None:
        stmt = stmt.where(t.town == town)
    targets = [Target(*row) for row in session.execute(stmt.order_by(t.town, t.name, t.id))]
    activity = _activity(session, campaign)
    states = []
    for target in targets:
        if target.enterprise_id is None:
            states.append(TargetState(target, NOT_REGISTERED))
        else:
            states.append(TargetState(target, *status_of(activity.get(target.enterprise_id, []),
                                                         campaign)))  # fmt: skip
    return states


def progress(session: Session, campaign: Campaign, scope: Scope) -> Progress:
    """The campaign's counts in all, by town and by industry, and its laggards by town."""
    total, towns, industries = GroupRow(""), {}, {}
    laggards: dict[str, list[TargetState]] = defaultdict(list)
    for state in target_states(session, campaign, scope):
        target = state.target
        total.add(state.status)
        towns.setdefault(target.town, GroupRow(target.town)).add(state.status)
        industries.setdefault(target.industry, GroupRow(target.industry)).add(state.status)
        if state.status in LAGGING:
            laggards[target.town].append(state)
    order = {status: n for n, status in enumerate(LAGGING)}
    for items in laggards.values():
        items.sort(key=lambda s: (order[s.status], s.target.name))
    return Progress(campaign, total, _ranked(towns), _ranked(industries), dict(laggards))


def laggards_of(session: Session, campaign: Campaign, scope: Scope,
                town: str | None = None) -> list[TargetState]:  # fmt: skip
    """The targets to call (not registered, not started, not submitted, returned) within `scope`
    (and `town`), by town, then how far behind (not registered first), then name."""
    order = {status: n for n, status in enumerate(LAGGING)}
    states = [s for s in target_states(session, campaign, scope, town) if s.status in order]
    return sorted(states, key=lambda s: (s.target.town, order[s.status], s.target.name))


def _ranked(groups: dict[str, GroupRow]) -> list[GroupRow]:
    """Lowest completion first (whom to chase), then most targets, then the code."""
    return sorted(groups.values(), key=lambda g: (g.rate or 0.0, -g.targets, g.key))
