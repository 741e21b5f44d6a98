"""Passwords: changing one's own, and forgotten ones through a mailed link. No Flask.

A reset link names the user and carries a fingerprint of the password hash it was made for, so it
works once: setting a password (through the link or any other way) changes the hash and every
earlier link then reads as used. Every password change ends the user's other sessions (the
session version) and is audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from assessment.services import audit
from assessment.services.accounts import hash_password
from assessment.services.models import User, utcnow
from assessment.services.signed_links import INVALID, USED, LinkError, make_token, read_token

SALT = "password-reset"
TARGET_USER = "user"


def _fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: enough to notice a change, useless to an attacker."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]


def user_for_email(session: Session, email: str) -> User | None:
    """The active account with this address (case-insensitive), or None."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    user = session.scalar(select(User).where(func.lower(User.email) == wanted))
    return user if user is not None and user.active else None


def reset_token(secret_key: str, user: User) -> str:
    """A reset link's token for `user`, bound to the password hash they have now."""
    return make_token(secret_key, SALT, {"u": user.id, "h": _fingerprint(user.password_hash)})


def user_for_reset(session: Session, secret_key: str, token: str, max_age: int) -> User:
    """The user a reset token was made for, while it is fresh and unused.

    Raises LinkError: INVALID (tampered, unknown or deactivated account), EXPIRED (older than
    `max_age` seconds) or USED (the password changed since the link was made).
    """
    payload = read_token(secret_key, SALT, token, max_age)
    user_id, fingerprint = payload.get("u"), payload.get("h")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        raise LinkError(INVALID)
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.active:
        raise LinkError(INVALID)
    if not hmac.compare_digest(fingerprint, _fingerprint(user.password_hash)):
        raise LinkError(USED)
    return user


def password_matches(user: User, password: str) -> bool:
    """True when `password` is the user's current password."""
    return check_password_hash(user.password_hash, password or "")


def set_password(
    session: Session,
    user: User,
    password: str,
    action: str,
    by: User | None = None,
    ip: str | None = None,
) -> None:
    """Store a new password, end every session of the user and audit `action`, in one commit.

    `by` is who did it (the user themselves unless an admin); a change through a mailed link also
    proves the address belongs to the user, so it counts as verified from then on.
    """
    user.password_hash = hash_password(password)
    user.session_version += 1
    if action == audit.RESET_PASSWORD_BY_EMAIL and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.record(
        session,
        by or user,
        action,
        target_type=TARGET_USER,
        target_id=str(user.id),
        details={"email": user.email},
        ip=ip,
        commit=False,
    )
    session.commit()
