"""Email verification: a mailed link proves the address before a first submit. No Flask.

Anyone may register and start filling questionnaires at once; submitting waits until the address
is confirmed, so results and the bureau's figures come from reachable people. The link names the
user and the address it was sent to: it stops working if the account's address changes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.core.enums import Role
from assessment.services import audit
from assessment.services.models import User, utcnow
from assessment.services.signed_links import INVALID, LinkError, make_token, read_token

SALT = "email-verification"


def must_verify(user: User) -> bool:
    """True while an enterprise user's address is unconfirmed (they may fill, not submit).

    Only enterprise users register themselves; staff and service-provider accounts are created by
    the bureau (`flask create-user`), which vouches for their address.
    """
    return user.role == Role.ENTERPRISE and user.email_verified_at is None


def verification_token(secret_key: str, user: User) -> str:
    """A verification link's token for the user's current address."""
    return make_token(secret_key, SALT, {"u": user.id, "e": user.email.lower()})


def verify_email(
    session: Session, secret_key: str, token: str, max_age: int, ip: str | None = None
) -> tuple[User, bool]:
    """Mark the address of the token's user as verified; returns (user, newly verified).

    Following a link twice is harmless (the second time says it was already done). Raises
    LinkError: INVALID (tampered, unknown account, or the address changed) or EXPIRED.
    """
    payload = read_token(secret_key, SALT, token, max_age)
    user_id, email = payload.get("u"), payload.get("e")
    if not isinstance(user_id, int) or not isinstance(email, str):
        raise LinkError(INVALID)
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.active or user.email.lower() != email:
        raise LinkError(INVALID)
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = utcnow()
    audit.record(
        session,
        user,
        audit.VERIFY_EMAIL,
        target_type="user",
        target_id=str(user.id),
        details={"email": user.email},
        ip=ip,
        commit=False,
    )
    session.commit()
    return user, True
