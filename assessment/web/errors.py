"""Error pages: translated, never a stack trace; CSRF failures keep what the user typed."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from assessment.web.api.problems import from_exception, is_api_request, problem
from assessment.web.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it belongs to someone else.")),
    405: (_l("Not allowed"), _l("This action is not allowed here.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("Too many requests in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Your saved answers are safe; please try again."),
    ),
}

# Views that re-render their form with the posted data (unsaved) when the CSRF token is bad.
CSRF_RERENDER_ENDPOINTS = {"survey.page", "auth.register", "auth.login", "survey.review",
                           "grants.create"}  # fmt: skip
CSRF_RERENDER_ENDPOINTS |= {"team.invite", "team.rename", "team.accept"}
CSRF_RERENDER_ENDPOINTS |= {"profile.update", "admin_enterprises.correct"}
CSRF_RERENDER_ENDPOINTS |= {"join.register"}


def render_error(code: int):
    """The translated error page for an HTTP status code."""
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors.html", code=code, title=title, text=text), code


def register(app: Flask) -> None:
    """Install the error handlers on `app`."""

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        view = app.view_functions.get(request.endpoint or "")
        if request.endpoint in CSRF_RERENDER_ENDPOINTS and view is not None:
            g.csrf_failed = True
            return view(**(request.view_args or {}))
        return render_error(400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if is_api_request():  # the API answers problem+json, never a page
            return from_exception(exc)
        if exc.code == 429:
            # A limit's on_breach may bring its own page (what was refused, how long to wait).
            return exc.response if exc.response is not None else render_error(429)
        return render_error(exc.code if exc.code in MESSAGES else 400)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return problem(InternalServerError.code)
        return render_error(InternalServerError.code)


def csrf_failed() -> bool:
    """True while a view is re-rendering after a rejected CSRF token."""
    return bool(g.get("csrf_failed"))
