"""HTTP hardening and request logging: security headers, proxy awareness, secure cookies."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, abort, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

access_log = logging.getLogger("assessment.access")

# No inline scripts anywhere (the one script is a file); inline style attributes draw the bars.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """Structured (JSON) logs on stderr when LOG_JSON is set; the default otherwise."""
    if not app.config.get("LOG_JSON"):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def register(app: Flask) -> None:
    """Install proxy handling, cookie security, headers and request logging on `app`."""
    if app.config.get("PROXY_FIX"):
        # Behind nginx: trust one proxy hop for the client address, scheme and host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    if app.config.get("PRODUCTION") or app.config.get("SESSION_COOKIE_SECURE"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")  # fmt: skip
    configure_logging(app)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No browser form needs a NUL character, and PostgreSQL refuses them in text: answer 400.
        # Every value of a repeated name counts (MultiDict.values() yields only the first).
        values = [request.path, *(v for _k, v in request.args.items(multi=True))]
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            values += [x for pair in request.form.items(multi=True) for x in pair]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _headers_and_log(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if app.config.get("LOG_REQUESTS"):
            started = g.get("request_started")
            user = current_user.get_id() if current_user and current_user.is_authenticated else None
            access_log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"fields": {
                    "method": request.method, "path": request.path,
                    "status": response.status_code, "remote": request.remote_addr,
                    "user": user.split(":")[0] if user else None,
                    "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                }},
            )  # fmt: skip
        return response
