"""Errors of the API as `application/problem+json` (RFC 9457), translated by `Accept-Language`:
never HTML, never a stack trace."""

from __future__ import annotations

import time

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from assessment.core.text import Problem
from assessment.web.extensions import limiter
from assessment.web.i18n import current_lang

PREFIX = "/api/v1"
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://cixi-assessment.example/problems/"

TITLES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    401: (_l("Not authenticated"), _l("Send a valid API token: Authorization: Bearer <token>.")),
    403: (_l("Not allowed"), _l("This token's scopes do not allow this request.")),
    404: (_l("Not found"), _l("This resource does not exist, or it belongs to someone else.")),
    405: (_l("Method not allowed"), _l("This method is not allowed on this resource.")),
    409: (_l("Conflict"), _l("The resource changed or is in a state that refuses this request.")),
    413: (_l("Too much data"), _l("The request body is too large.")),
    415: (_l("Unsupported media type"), _l("Send the body as application/json.")),
    422: (_l("Invalid data"), _l("Some fields are invalid; see errors.")),
    429: (_l("Too many requests"), _l("Too many requests with this token; retry later.")),
    500: (_l("Server error"), _l("An unexpected error occurred; nothing was changed.")),
}
# marshmallow's own messages, translated (msgids so the catalog holds them).
FIELD_MESSAGES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid input type.": _l("Invalid input type."),
    "Not a valid boolean.": _l("Not a valid boolean."),
}


def is_api_request() -> bool:
    """True for requests under /api/v1 (whatever blueprint or none answered them)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def field_errors(problems: dict[str, Problem]) -> dict[str, list[str]]:
    """Domain problems per field, in the request's language."""
    lang = current_lang()
    return {field: [problem.render(_, lang)] for field, problem in problems.items()}


def _flatten(messages, path: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs messages ({location: {field: [msg]}}) as {"field.sub": [msg]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "headers", "path", "view_args", "form") and not path:
                out.update(_flatten(value, ""))
            else:
                out.update(_flatten(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[path or "body"] = [str(FIELD_MESSAGES.get(m, m)) for m in messages]
    else:
        out[path or "body"] = [str(messages)]
    return out


def problem(status: int, detail: str | None = None, errors: dict | None = None,
            headers: dict | None = None, **extra) -> Response:  # fmt: skip
    """One problem response."""
    title, default_detail = TITLES.get(status, TITLES[500 if status >= 500 else 400])
    body = {
        "type": TYPE_BASE + str(status),
        "title": str(title),
        "status": status,
        "detail": detail or str(default_detail),
        "errors": errors or {},
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = current_lang()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(exc: HTTPException) -> Response:
    """The problem for an HTTP error raised anywhere under /api/v1."""
    code = exc.code or 500
    code = code if code in TITLES else (500 if code >= 500 else 400)
    data = getattr(exc, "data", None) or {}
    errors = _flatten(data["messages"]) if "messages" in data else None
    detail = data.get("detail") if isinstance(data, dict) else None
    headers = {}
    if code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if code == 429:
        headers["Retry-After"] = str(_retry_after())
    if code == 405 and exc.get_headers():
        headers.update({k: v for k, v in exc.get_headers() if k == "Allow"})
    status = 422 if code == 400 and errors else code
    return problem(status, detail, errors, headers, **data.get("extra", {}))


def _retry_after() -> int:
    """Seconds until the breached limit resets (at least 1)."""
    current = limiter.current_limit
    if current is not None:
        return max(1, int(current.reset_at - time.time()))
    return 60


def api_max_body() -> int:
    """The largest request body the API accepts (bytes)."""
    return int(current_app.config.get("API_MAX_BODY", 256 * 1024))
