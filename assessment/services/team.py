"""Colleagues: the enterprise's members, and the owner removing them or handing ownership over.

Invitations (how colleagues join) are in `services/invitations.py`. Every change is audited.
No Flask.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assessment.core.enums import Membership
from assessment.core.text import N_, Problem
from assessment.services import audit
from assessment.services.models import Enterprise, User

TARGET_USER = "user"

LAST_OWNER = N_(
    "The enterprise always needs an owner. Hand ownership to a colleague before the owner leaves."
)
NOT_OWNER = N_("Only the enterprise's owner can do this.")
ALREADY_OWNER = N_("%(name)s is already the owner.")


class TeamError(Exception):
    """A team change that cannot be made; `problem` says why, for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class NotFoundError(Exception):
    """The member or invitation is not part of this enterprise (the web answers 404)."""


def members(session: Session, enterprise: Enterprise) -> list[User]:
    """The enterprise's active accounts: owners first, then in the order they joined."""
    stmt = select(User).where(User.enterprise_id == enterprise.id, User.active.is_(True))
    owner_first = (User.membership == Membership.OWNER).desc()
    return list(session.scalars(stmt.order_by(owner_first, User.created_at, User.id)))


def _member(session: Session, enterprise: Enterprise, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.enterprise_id != enterprise.id or not user.active:
        raise NotFoundError(user_id)
    return user


def remove(
    session: Session, enterprise: Enterprise, user_id: int, by: User, ip: str | None = None
) -> User:
    """Take a colleague out of the enterprise: the account is detached and deactivated, and its
    sessions end at once (what they saved stays, with their name). The last owner stays."""
    require_owner(by, enterprise)
    user = _member(session, enterprise, user_id)
    if user.membership == Membership.OWNER and _owner_count(session, enterprise) <= 1:
        raise TeamError(Problem(LAST_OWNER))
    user.enterprise_id = None
    user.membership = None
    user.active = False
    user.session_version += 1
    audit_change(session, by, audit.REMOVE_MEMBER, TARGET_USER, user.id, user.email, ip)
    session.commit()
    return user


def transfer(
    session: Session, enterprise: Enterprise, user_id: int, by: User, ip: str | None = None
) -> User:
    """Make a colleague the owner; `by` (the owner) becomes a member. There is always exactly
    one owner: the demotion is a compare-and-set, so two hand-overs at once make one owner."""
    require_owner(by, enterprise)
    user = _member(session, enterprise, user_id)
    if user.membership == Membership.OWNER:
        raise TeamError(Problem(ALREADY_OWNER, {"name": user.label}))
    demoted = session.execute(
        update(User)
        .where(User.id == by.id, User.membership == Membership.OWNER)
        .values(membership=Membership.MEMBER)
        .execution_options(synchronize_session=False)
    ).rowcount
    if demoted != 1:
        session.rollback()
        raise TeamError(Problem(NOT_OWNER))
    user.membership = Membership.OWNER
    audit_change(session, by, audit.TRANSFER_OWNERSHIP, TARGET_USER, user.id, user.email, ip)
    session.commit()
    session.refresh(by)
    return user


def rename(session: Session, user: User, display_name: str) -> None:
    """Set how colleagues see the user's name (beside what they saved)."""
    user.display_name = display_name.strip()
    session.commit()


def _owner_count(session: Session, enterprise: Enterprise) -> int:
    stmt = select(func.count(User.id)).where(
        User.enterprise_id == enterprise.id,
        User.membership == Membership.OWNER,
        User.active.is_(True),
    )
    return session.scalar(stmt) or 0


def require_owner(user: User, enterprise: Enterprise) -> None:
    """Services check the owner too: the web's decorator is not the only guard."""
    if user.enterprise_id != enterprise.id or user.membership != Membership.OWNER:
        raise TeamError(Problem(NOT_OWNER))


def audit_change(session: Session, user: User, action: str, target_type: str, target_id: int,
           email: str, ip: str | None) -> None:  # fmt: skip
    audit.record(session, user, action, target_type, str(target_id), {"email": email}, ip,
                 commit=False)  # fmt: skip
