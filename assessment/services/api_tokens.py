"""Personal access tokens for the API: created (shown once), stored as a SHA-256 hash, scoped,
expiring, revocable; a bearer token authenticates to a user. No Flask."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.core.enums import Role
from assessment.core.text import N_, Problem
from assessment.services.models import ApiToken, User, utcnow

READ_OWN = "read:own"
WRITE_OWN = "write:own"
BUREAU_READ = "bureau:read"
BUREAU_EXPORT = "bureau:export"
SCOPES = (READ_OWN, WRITE_OWN, BUREAU_READ, BUREAU_EXPORT)
OWN_SCOPES = (READ_OWN, WRITE_OWN)
BUREAU_SCOPES = (BUREAU_READ, BUREAU_EXPORT)
PREFIX = "cxa_"
MAX_DAYS = 366
MAX_NAME = 80
# last_used_at is written at most once per this interval: one UPDATE a minute, not per call.
TOUCH_EVERY = timedelta(minutes=1)


def allowed_scopes(user: User) -> tuple[str, ...]:
    """The scopes this user's role may hold: enterprise users their own data; service providers
    the same for the enterprises whose grant is in force (named on each call, checked each
    time); bureau staff and town officers the bureau's figures (within their scope)."""
    if user.role in (Role.ENTERPRISE, Role.PROVIDER):
        return OWN_SCOPES
    if user.role in (Role.BUREAU, Role.ADMIN, Role.TOWN_OFFICER):
        return BUREAU_SCOPES
    return ()


def digest(token: str) -> str:
    """The stored form of a token (SHA-256 hex): a database leak reveals no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Created:
    """A new token: the row, and the secret (shown once, never stored)."""

    token: ApiToken
    secret: str


def check(user: User, name: str, scopes: list[str], days: int | None) -> dict[str, Problem]:
    """Every problem with a token request, per field (empty: fine)."""
    problems: dict[str, Problem] = {}
    if not name.strip() or len(name.strip()) > MAX_NAME:
        problems["name"] = Problem(N_("Give the token a name of 1 to %(max)s characters."),
                                   {"max": MAX_NAME})  # fmt: skip
    allowed = allowed_scopes(user)
    if not scopes or any(scope not in allowed for scope in scopes):
        problems["scopes"] = Problem(N_("Choose at least one of the scopes offered."))
    if days is None or not 1 <= days <= MAX_DAYS:
        problems["days"] = Problem(N_("The token must expire within 1 to %(max)s days."),
                                   {"max": MAX_DAYS})  # fmt: skip
    return problems


def create(session: Session, user: User, name: str, scopes: list[str], days: int) -> Created:
    """Create a token for `user` (call `check` first); the secret is returned only here."""
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[:12],
        token_hash=digest(secret),
        scopes=[scope for scope in SCOPES if scope in scopes],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.commit()
    return Created(row, secret)


def list_for(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(session.scalars(stmt.order_by(ApiToken.id.desc())))


def revoke(session: Session, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs or already revoked."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1


def is_active(token: ApiToken, now: datetime | None = None) -> bool:
    """Not revoked and not expired."""
    return token.revoked_at is None and token.expires_at > (now or utcnow())


def authenticate(session: Session, header: str | None) -> tuple[User, ApiToken] | None:
    """The user and token of an `Authorization: Bearer …` header, or None (missing, unknown,
    revoked, expired, or an inactive account). Touches `last_used_at` at most once a minute."""
    if not header or not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer ") :].strip()
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    now = utcnow()
    if token is None or not is_active(token, now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        session.commit()
    return token.user, token
