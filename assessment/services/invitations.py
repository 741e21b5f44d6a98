"""Invitations: an enterprise's owner invites a colleague by email; the colleague accepts.

An invitation link carries a random token; only its SHA-256 hash is stored, so a copy of the
database opens no door. Every change is audited. No Flask.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.enums import Membership, Role
from assessment.core.text import N_, Problem
from assessment.services import audit
from assessment.services.accounts import hash_password, password_problem
from assessment.services.models import Enterprise, Invitation, User, utcnow
from assessment.services.team import NotFoundError, TeamError, audit_change, require_owner

INVITATION_DAYS = 7
TARGET_INVITATION = "invitation"
# Longer than any token we make (43 characters); anything longer is not worth hashing.
MAX_TOKEN_LENGTH = 200

ALREADY_MEMBER = N_("%(email)s is already a colleague in this enterprise.")
OTHER_ENTERPRISE = N_(
    "%(email)s already belongs to another enterprise's account, so it cannot be invited. "
    "Ask your colleague for another address, or ask them to leave the other enterprise first."
)
NOT_AN_ENTERPRISE_ACCOUNT = N_(
    "%(email)s is used by a bureau, administrator or service provider account, so it cannot "
    "join an enterprise. Invite another address."
)
UNKNOWN_LINK = N_(
    "This invitation link is not valid. It may be incomplete (copy the whole link from the "
    "email) or replaced by a newer invitation. Ask the person who invited you to send it again."
)
EXPIRED_LINK = N_(
    "This invitation has expired: a link is valid for 7 days. Ask the person who invited you "
    "to invite you again."
)
REVOKED_LINK = N_(
    "This invitation was withdrawn. Ask the enterprise's owner if you still need access."
)
USED_LINK = N_(
    "This invitation has already been used. Sign in with its email address and password."
)


def token_hash(token: str) -> str:
    """The stored form of an invitation token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email))


def _refusal(session: Session, enterprise: Enterprise, email: str) -> Problem | None:
    """Why `email` cannot join `enterprise`, or None (no account, or one without an enterprise)."""
    user = _user_by_email(session, email)
    if user is None:
        return None
    params = {"email": email}
    if user.role != Role.ENTERPRISE:
        return Problem(NOT_AN_ENTERPRISE_ACCOUNT, params)
    if user.enterprise_id == enterprise.id:
        return Problem(ALREADY_MEMBER, params)
    if user.enterprise_id is not None:
        return Problem(OTHER_ENTERPRISE, params)
    return None


def pending_invitation(session: Session, enterprise: Enterprise, email: str) -> Invitation | None:
    """The open (not accepted, not withdrawn) invitation of `email` into `enterprise`."""
    stmt = select(Invitation).where(
        Invitation.enterprise_id == enterprise.id,
        Invitation.email == email,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    return session.scalars(stmt.order_by(Invitation.id.desc())).first()


def invite(
    session: Session, enterprise: Enterprise, email: str, by: User, ip: str | None = None
) -> tuple[Invitation, str]:
    """Invite `email` into `enterprise`; returns the invitation and the token for its link.

    Inviting an address again replaces its open invitation: a new link, valid 7 days from now
    (the old link stops working). Raises TeamError for an address that cannot join.
    """
    require_owner(by, enterprise)
    email = email.strip().lower()
    problem = _refusal(session, enterprise, email)
    if problem is not None:
        raise TeamError(problem)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = pending_invitation(session, enterprise, email)
    if invitation is None:
        invitation = Invitation(enterprise_id=enterprise.id, email=email)
        session.add(invitation)
    invitation.token_hash = token_hash(token)
    invitation.invited_by_id = by.id
    invitation.created_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    session.flush()
    audit_change(session, by, audit.INVITE_COLLEAGUE, TARGET_INVITATION, invitation.id, email, ip)
    session.commit()
    return invitation, token


def find(session: Session, token: str) -> Invitation:
    """The open invitation for a link's token; TeamError says why a link cannot be used."""
    invitation = None
    if token and len(token) <= MAX_TOKEN_LENGTH:
        stmt = select(Invitation).where(Invitation.token_hash == token_hash(token))
        invitation = session.scalar(stmt)
    if invitation is None:
        raise TeamError(Problem(UNKNOWN_LINK))
    if invitation.accepted_at is not None:
        raise TeamError(Problem(USED_LINK))
    if invitation.revoked_at is not None:
        raise TeamError(Problem(REVOKED_LINK))
    if invitation.expires_at <= utcnow():
        raise TeamError(Problem(EXPIRED_LINK))
    return invitation


def accept(
    session: Session, token: str, display_name: str, password: str, ip: str | None = None
) -> User:
    """Accept an invitation: create the colleague's account (or attach the address's account that
    has no enterprise), with this name and password, and return it.

    The address counts as verified: the link was mailed to it. The invitation is claimed with a
    compare-and-set, so a link works once even when two requests race.
    """
    invitation = find(session, token)
    problem = _refusal(session, invitation.enterprise, invitation.email)
    if problem is None:
        problem = password_problem(password, invitation.email)
    if problem is not None:
        raise TeamError(problem)
    now = utcnow()
    open_now = (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                Invitation.expires_at > now)  # fmt: skip
    claim = update(Invitation).where(Invitation.id == invitation.id, *open_now)
    if session.execute(claim.values(accepted_at=now)).rowcount != 1:
        session.rollback()
        find(session, token)  # raises the reason it was taken away meanwhile
        raise TeamError(Problem(USED_LINK))
    user = _account_for(session, invitation.email)
    user.password_hash = hash_password(password)
    user.display_name = display_name.strip()
    user.enterprise_id = invitation.enterprise_id
    user.membership = Membership.MEMBER
    user.active = True
    user.email_verified_at = user.email_verified_at or now
    user.last_login_at = now
    try:
        session.flush()
    except IntegrityError:  # the address registered an account of its own meanwhile
        session.rollback()
        raise TeamError(Problem(OTHER_ENTERPRISE, {"email": invitation.email})) from None
    audit_change(session, user, audit.ACCEPT_INVITATION, TARGET_INVITATION, invitation.id,
           invitation.email, ip)  # fmt: skip
    session.commit()
    return user


def _account_for(session: Session, email: str) -> User:
    """The address's account without an enterprise (its old sessions end), or a new one."""
    user = _user_by_email(session, email)
    if user is None:
        user = User(email=email, role=Role.ENTERPRISE, password_hash="")
        session.add(user)
    else:
        user.session_version += 1
    return user


def open_invitations(session: Session, enterprise: Enterprise) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn (expired ones too, so they can be sent again),
    newest first."""
    stmt = select(Invitation).where(
        Invitation.enterprise_id == enterprise.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    return list(session.scalars(stmt.order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def revoke(
    session: Session, enterprise: Enterprise, invitation_id: int, by: User, ip: str | None = None
) -> Invitation:
    """Withdraw an open invitation: its link stops working at once."""
    require_owner(by, enterprise)
    invitation = session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.enterprise_id != enterprise.id
        or invitation.accepted_at is not None
    ):
        raise NotFoundError(invitation_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit_change(session, by, audit.REVOKE_INVITATION, TARGET_INVITATION, invitation.id,
               invitation.email, ip)  # fmt: skip
    session.commit()
    return invitation
