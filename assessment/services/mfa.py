"""Two-step verification (TOTP, RFC 6238) with one-time recovery codes. No Flask.

A user enrols in two steps: `start_enrolment` stores a fresh secret (not yet in force), and
`confirm_enrolment` turns it on once the user typed a code from the authenticator app, creating
ten recovery codes shown to the user once. Every accepted code moves `User.totp_last_step`
forward with a compare-and-set, so a code is never accepted twice, even by two requests racing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from base64 import b32encode
from enum import StrEnum

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from assessment.core.enums import Role
from assessment.services import audit
from assessment.services.models import RecoveryCode, User, utcnow

ISSUER = "慈溪企业数字化自评估"
STEP_SECONDS = 30  # pyotp's default interval; the authenticator apps assume it
VALID_WINDOW = 1  # one step either side: a clock a little off, or a code typed at the turn
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 10  # 80 bits each, written as 16 base32 letters in groups of four


class Check(StrEnum):
    """What became of a code the user typed."""

    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"  # right code, but its time step was already used


def is_enabled(user: User) -> bool:
    """True when the user signs in with a second step."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def is_required(user: User, mfa_required: bool) -> bool:
    """True when the user's role must use two-step verification (bureau, admin and town
    officers, when the deployment requires it)."""
    return mfa_required and Role(user.role).reads_enterprises_answers


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    if not user.totp_secret:
        raise ValueError("no secret: start the enrolment first")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def start_enrolment(session: Session, user: User) -> str:
    """Store a new secret for a user who has not enrolled yet (it is not in force until
    confirmed) and return it. Starting again replaces an unconfirmed secret."""
    if is_enabled(user):
        raise ValueError("already enrolled")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    session.commit()
    return user.totp_secret


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step within the window whose code is `code`, or None."""
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Constant-time comparison: the time taken says nothing about how many digits matched.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def normalise_code(raw: str) -> str:
    """A code as typed, without spaces or hyphens, lower case; full-width digits and letters (a
    Chinese input method's) become ASCII."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch not in " -\t").lower()


def looks_like_totp(raw: str) -> bool:
    """Six digits (spaces aside): a code from the app rather than a recovery code."""
    code = normalise_code(raw)
    # isascii: other scripts' digits count as digits for isdigit, but no app shows them.
    return len(code) == 6 and code.isascii() and code.isdigit()


def check_totp(session: Session, user: User, raw: str, now: float | None = None) -> Check:
    """Verify a code from the authenticator and, when right, use up its time step for good.

    The step is stored with a compare-and-set (`totp_last_step < step`), so a code replayed
    within its window, or sent by two requests at once, is accepted only once.
    """
    code = normalise_code(raw)
    if not user.totp_secret or not looks_like_totp(code):
        return Check.WRONG
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return Check.WRONG
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    session.refresh(user)
    return Check.OK if claimed == 1 else Check.REPLAYED


def confirm_enrolment(
    session: Session, user: User, raw: str, ip: str | None = None
) -> tuple[Check, list[str]]:
    """Turn two-step verification on when `raw` is a right code for the stored secret; returns
    the check and, on success, the ten new recovery codes (shown once, stored hashed)."""
    if is_enabled(user) or not user.totp_secret:
        return Check.WRONG, []
    result = check_totp(session, user, raw)
    if result is not Check.OK:
        return result, []
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(session, user)
    audit.record(session, user, audit.ENABLE_MFA, "user", str(user.id), ip=ip, commit=False)
    session.commit()
    return Check.OK, codes


def _hash_recovery_code(user_id: int, code: str) -> str:
    # A plain SHA-256 digest is enough here (unlike passwords, which need a slow hash): each code
    # carries 80 random bits, so trying every code against a leaked digest is out of reach
    # however fast the hash. The user id makes equal codes of two users differ.
    return hashlib.sha256(f"{user_id}:{normalise_code(code)}".encode()).hexdigest()


def _new_recovery_code() -> str:
    letters = b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(user.id, code))
        for code in codes
    )
    return codes


def regenerate_recovery_codes(session: Session, user: User, ip: str | None = None) -> list[str]:
    """Replace every recovery code of an enrolled user (the old ones stop working); returns the
    new ones, to be shown once."""
    if not is_enabled(user):
        raise ValueError("not enrolled")
    codes = _replace_recovery_codes(session, user)
    audit.record(
        session, user, audit.REGENERATE_RECOVERY_CODES, "user", str(user.id), ip=ip, commit=False
    )
    session.commit()
    return codes


def recovery_codes_left(session: Session, user: User) -> int:
    """How many recovery codes the user has not used yet."""
    stmt = select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return session.scalar(stmt) or 0


def use_recovery_code(session: Session, user: User, raw: str, ip: str | None = None) -> bool:
    """Spend one unused recovery code; False when it is unknown or already used. The
    compare-and-set on `used_at` lets only one of two simultaneous requests spend it."""
    if not is_enabled(user) or not normalise_code(raw):
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(user.id, raw),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        session.rollback()
        return False
    audit.record(session, user, audit.USE_RECOVERY_CODE, "user", str(user.id), ip=ip, commit=False)
    session.commit()
    return True


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def password_matches(user: User, password: str) -> bool:
    """True when `password` is the user's password (asked again before turning MFA off)."""
    return check_password_hash(user.password_hash, password or "")


def disable(session: Session, user: User, ip: str | None = None) -> None:
    """Turn the user's own two-step verification off (the view checked password and code)."""
    _clear(session, user)
    audit.record(session, user, audit.DISABLE_MFA, "user", str(user.id), ip=ip, commit=False)
    session.commit()


def admin_reset(session: Session, admin: User, user: User, ip: str | None = None) -> None:
    """An administrator's reset for a user who lost the authenticator and the recovery codes:
    secret, enrolment and recovery codes go, and every session of the user ends."""
    _clear(session, user)
    user.session_version += 1
    audit.record(
        session, admin, audit.RESET_MFA, "user", str(user.id), {"email": user.email}, ip=ip,
        commit=False,
    )  # fmt: skip
    session.commit()
