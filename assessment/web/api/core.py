"""The API's machinery: flask-smorest with problem+json errors, bearer-token authentication (never
the session cookie), scopes, per-token rate limits, body limits and the audit of every call."""

from __future__ import annotations

import hashlib
import http
from functools import wraps

from flask import current_app, g, request
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint, abort
from flask_smorest.utils import prepare_response

from assessment.services import api_tokens, audit, grants
from assessment.web.api import acting
from assessment.web.api.problems import MEDIA_TYPE, PREFIX, api_max_body
from assessment.web.api.schemas import ProblemSchema
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

SPEC_OPTIONS = {
    "info": {
        "description": "Digital-maturity self-assessment API (慈溪企业数字化水平自评估). "
        "Authenticate with a personal access token created on the account page: "
        "`Authorization: Bearer cxa_…`. Errors are application/problem+json (RFC 9457), "
        "in the language of `Accept-Language` (zh default, en)."
    },
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearerAuth": []}],
    "servers": [{"url": "/"}],
}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class Api(SmorestApi):
    """flask-smorest's Api whose errors are problem+json documents and whose error handling is
    left to the app (`web/errors.py` dispatches /api/v1 to `problems.from_exception`)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """The app's handlers answer every error (HTML pages, problem+json under /api/v1)."""

    def _register_responses(self):
        """Every documented error response is application/problem+json (flask-smorest's own
        method with the media type changed)."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def configure(app) -> Api:
    """Settings flask-smorest reads; the spec is served at /api/v1/openapi.json (no UI from a
    CDN: `web/api/reference.py` renders the reference page from the spec, offline)."""
    app.config.setdefault("API_TITLE", "Cixi digital assessment API")
    app.config.setdefault("API_VERSION", "1.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    return Api(app)


def token_key() -> str:
    """Rate-limit key: the bearer token (hashed), so each token has its own budget."""
    header = request.headers.get("Authorization", "")
    return "api:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:24]


def api_limit() -> str:
    """Requests per token (configurable)."""
    return current_app.config.get("RATELIMIT_API", "120 per minute;3000 per hour")


def authenticate() -> None:
    """Before every API view: body limits, then the bearer token (401 without a valid one)."""
    length = request.content_length
    if length is not None and length > api_max_body():
        abort(413)
    if request.method in WRITE_METHODS and length and not request.is_json:
        abort(415)
    found = api_tokens.authenticate(db.session, request.headers.get("Authorization"))
    if found is None:
        abort(401)
    g.api_user, g.api_token = found
    current_lang()  # decided now from Accept-Language (see web/i18n.select_locale)


def record_call(response):
    """After every authenticated API call: one audit row (user, token, method, path, status; for
    a service provider also the enterprise it acted for)."""
    user = g.get("api_user")
    if user is not None:
        details = {"token": g.api_token.id, "method": request.method,
                   "status": response.status_code}  # fmt: skip
        ent = acting.acting_for()
        if ent is not None:  # a service provider's call: for which enterprise
            details |= {"enterprise": ent.public_id, "enterprise_name": ent.name,
                        "provider": grants.provider_name(user)}  # fmt: skip
        audit.record(db.session, user, audit.API_CALL, "api", request.path[:64], details,
                     request.remote_addr)  # fmt: skip
    return response


def scope_required(scope: str):
    """The token must carry `scope` (403 otherwise, before anything is read)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if scope not in (g.api_token.scopes or []):
                abort(403, detail=None)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def blueprint(name: str, description: str) -> Blueprint:
    """An API blueprint under /api/v1 with authentication and auditing installed."""
    blp = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    blp.before_request(authenticate)
    blp.after_request(record_call)
    return blp
