"""The review queue: campaign submissions by review status, flagged ones first, within a town
officer's towns. No Flask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from assessment.core.enums import Review, Status
from assessment.services.models import Assessment, Campaign, Enterprise
from assessment.services.town_officers import Scope

ALL = "all"
STATUSES = (Review.PENDING.value, Review.RETURNED.value, Review.APPROVED.value, ALL)


@dataclass(frozen=True)
class QueueQuery:
    status: str = Review.PENDING.value  # one of STATUSES
    campaign_id: int | None = None
    flagged_only: bool = False
    include_demo: bool = False


def _conditions(query: QueueQuery, scope: Scope, with_status: bool = True) -> list:
    conditions = [Assessment.status == Status.SUBMITTED, Assessment.review_status.is_not(None)]
    if with_status and query.status != ALL:
        conditions.append(Assessment.review_status == query.status)
    if query.campaign_id is not None:
        conditions.append(Assessment.campaign_id == query.campaign_id)
    if query.flagged_only:
        conditions.append(Assessment.review_flags.is_not(None))
    if not query.include_demo:
        conditions.append(Assessment.is_demo.is_(False))
    if scope is not None:  # by the enterprise's town now, as every officer view
        conditions.append(Enterprise.town.in_(sorted(scope)))
    return conditions


def page(session: Session, query: QueueQuery, scope: Scope, limit: int,
         offset: int) -> tuple[list[Assessment], int]:  # fmt: skip
    """One page of the queue and the number of submissions in it. Pending ones: flagged first,
    then the longest waiting; decided ones: the latest decision first."""
    base = select(Assessment).join(Enterprise, Enterprise.id == Assessment.enterprise_id)
    base = base.where(*_conditions(query, scope))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if query.status == Review.PENDING:
        order = (Assessment.review_flags.is_(None), Assessment.submitted_at, Assessment.id)
    else:
        order = (Assessment.reviewed_at.desc(), Assessment.submitted_at.desc(), Assessment.id)
    rows = session.scalars(
        base.options(selectinload(Assessment.enterprise), selectinload(Assessment.campaign))
        .order_by(*order).limit(limit).offset(offset)
    ).all()  # fmt: skip
    return list(rows), total


def counts(session: Session, query: QueueQuery, scope: Scope) -> dict[str, int]:
    """How many submissions wait, were returned and were approved (for the status tabs)."""
    stmt = (
        select(Assessment.review_status, func.count())
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(*_conditions(query, scope, with_status=False))
        .group_by(Assessment.review_status)
    )
    found = {status: 0 for status in STATUSES}
    for status, n in session.execute(stmt):
        found[status] = n
    found[ALL] = sum(n for status, n in found.items() if status != ALL)
    return found


def campaigns(session: Session) -> list[Campaign]:
    """Campaigns that have submissions in review, newest first (the queue's campaign filter)."""
    ids = select(Assessment.campaign_id).where(Assessment.campaign_id.is_not(None)).distinct()
    return list(
        session.scalars(
            select(Campaign).where(Campaign.id.in_(ids)).order_by(Campaign.starts_on.desc())
        )
    )


def history_of(session: Session, assessment: Assessment) -> list[Assessment]:
    """The chain a submission belongs to, oldest first: the submissions it corrects (and they
    corrected) and the ones correcting it, so a reviewer sees every round."""
    chain = [assessment]
    seen = {assessment.id}
    current = assessment
    while current.corrects_id is not None and current.corrects_id not in seen:
        current = session.get(Assessment, current.corrects_id)
        if current is None:
            break
        chain.insert(0, current)
        seen.add(current.id)
    current = assessment
    while True:
        later = session.scalars(
            select(Assessment).where(Assessment.corrects_id == current.id).order_by(Assessment.id)
        ).first()
        if later is None or later.id in seen:
            break
        chain.append(later)
        seen.add(later.id)
        current = later
    return chain
