"""Throttles of the password and address pages (Flask-Limiter): who is counted, how much, and a
429 page that says what was refused and how long to wait."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import current_app, make_response, render_template, request
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

# What each throttled page refuses, in the user's words.
RESET_REFUSED = _l(
    "Too many password reset requests for this address or from your network. For your "
    "security, please wait before asking again."
)
RESEND_REFUSED = _l(
    "Several confirmation links were sent in a short time. The last one keeps working: please "
    "look for it in your inbox (and the spam folder) before asking again."
)
PASSWORD_REFUSED = _l("Too many attempts to change the password. Please wait and try again.")


def config_limit(key: str) -> Callable[[], str]:
    """The limit string in setting `key` (read per request, so tests and instances can change it)."""
    return lambda: current_app.config[key]


def address_key() -> str:
    """The address typed into the form: throttles every request naming it, from anywhere."""
    return "address:" + (request.form.get("email") or "").strip().lower()[:254]


def user_key() -> str:
    """The signed-in user (their id), else the client's IP address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def too_many(text) -> Callable[[RequestLimit], Response]:
    """An `on_breach` callback: the 429 page with `text` and the minutes until the limit resets."""

    def page(limit: RequestLimit) -> Response:
        minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
        wait = ngettext(
            "You can try again in about %(num)s minute.",
            "You can try again in about %(num)s minutes.",
            minutes,
        )
        body = render_template(
            "errors.html", code=429, title=_("Too many attempts"), text=f"{text} {wait}"
        )
        return make_response(body, 429)

    return page
