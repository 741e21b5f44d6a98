"""Flask-Login user loading: the session carries `id:session_version`, so logout and password
resets invalidate every older session cookie."""

from __future__ import annotations

from assessment.services.models import User
from assessment.web.extensions import db


def load_user(token: str) -> User | None:
    """The user for a session token, or None when it is malformed, stale or deactivated."""
    user_id, _, version = (token or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
