"""Landing page, language switch, health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from assessment.web.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Landing page; a signed-in enterprise goes straight to its assessments, a service provider
    to the enterprises it assists."""
    if current_user.is_authenticated and current_user.role == "enterprise":
        return redirect(url_for("survey.home"))
    if current_user.is_authenticated and current_user.role == "provider":
        return redirect(url_for("provider.home"))
    return render_template("main/index.html")


@bp.post("/language")
def set_language():
    """Keep the chosen language in the session and go back where the user was."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/privacy")
def privacy():
    """What we keep, who sees it, and how benchmarks protect it."""
    return render_template("main/privacy.html")


@bp.get("/healthz")
def healthz():
    """200 with JSON when the app and its database answer; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "unhealthy"
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    registry = current_app.extensions["questionnaires"]
    return jsonify(
        status="ok",
        database="ok",
        questionnaires=[f"{q.id}@{q.version}" for q in registry.all()],
    )


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("main.index")
