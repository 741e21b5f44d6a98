"""Signed, time-limited links mailed to users (password reset, email verification). No Flask.

A link carries a small JSON payload signed with the app's secret key (itsdangerous), a salt per
purpose so one kind of link never passes for another, and the time it was made. What a broken link
means to its reader is a `LinkError` with a translatable `Problem`.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from assessment.core.text import N_, Problem

# Far longer than any token we make: anything longer is refused before it is parsed.
MAX_TOKEN_LENGTH = 512

INVALID, EXPIRED, USED = "invalid", "expired", "used"
PROBLEMS = {
    INVALID: Problem(N_("This link is not valid. It may have been copied incompletely.")),
    EXPIRED: Problem(N_("This link has expired.")),
    USED: Problem(N_("This link has already been used, or the password was changed since.")),
}


class LinkError(Exception):
    """A link that does not work: `kind` is INVALID, EXPIRED or USED; `problem` tells the user."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.problem = PROBLEMS[kind]


def make_token(secret_key: str, salt: str, payload: dict[str, Any]) -> str:
    """A URL-safe signed token carrying `payload` and the time it was made."""
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps(payload)


def read_token(secret_key: str, salt: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a token made with the same key and salt at most `max_age` seconds ago.

    Raises LinkError(EXPIRED) for an old token and LinkError(INVALID) for anything tampered,
    truncated or made for another purpose.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkError(INVALID)
    serializer = URLSafeTimedSerializer(secret_key, salt=salt)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkError(EXPIRED) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkError(INVALID) from exc
    if not isinstance(payload, dict):
        raise LinkError(INVALID)
    return payload
