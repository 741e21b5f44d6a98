"""The sign-in between the password and the code: who is signing in, kept in the session for a
few minutes. Nobody is signed in until the code is right."""

from __future__ import annotations

import time

from flask import current_app, redirect, session, url_for
from werkzeug.wrappers import Response

from assessment.services.mfa import is_enabled
from assessment.services.models import User
from assessment.web.extensions import db

PENDING = "mfa_pending"


def needs_second_step(user: User) -> bool:
    """True when this user signs in with a code after the password."""
    return is_enabled(user)


def begin(user: User, target: str | None) -> Response:
    """Remember the user whose password was right (not signed in) and ask for the code.

    The session is rotated here as at sign-in, so nothing from before the password survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING] = {
        "uid": user.id,
        "ver": user.session_version,
        "exp": int(time.time()) + int(current_app.config["MFA_PENDING_SECONDS"]),
        "next": target or "",
    }
    return redirect(url_for("mfa.challenge"))


def pending_id() -> int | None:
    """The id of the user between password and code (expired or not), for rate-limit keys."""
    state = session.get(PENDING)
    uid = state.get("uid") if isinstance(state, dict) else None
    return uid if isinstance(uid, int) else None


def pending_user() -> tuple[User | None, bool]:
    """(the user between password and code, whether the wait expired). None when there is no
    sign-in under way, or the account changed since (deactivated, signed out everywhere, MFA
    reset)."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or pending_id() is None:
        return None, False
    if int(state.get("exp") or 0) < time.time():
        return None, True
    user = db.session.get(User, pending_id())
    if (
        user is None
        or not user.active
        or user.session_version != state.get("ver")
        or not needs_second_step(user)
    ):
        return None, False
    return user, False


def pending_target() -> str | None:
    """Where the user wanted to go before signing in."""
    state = session.get(PENDING)
    return (state.get("next") or None) if isinstance(state, dict) else None


def forget() -> None:
    """End the sign-in under way."""
    session.pop(PENDING, None)
