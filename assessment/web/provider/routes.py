"""A service provider's (数字化服务商) own pages: the enterprises that granted it access, choosing
one to work on its behalf, and the banner shown on every page while it does.

The chosen enterprise is kept in the session (`access.ACTING_KEY`) and checked against a grant in
force on every request by `access.current_enterprise`; the survey, result and report pages then
work for that enterprise exactly as for its own users.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from assessment.core.enums import Role
from assessment.services import grants
from assessment.services.models import Enterprise
from assessment.web.access import (
    ACTING_KEY,
    current_enterprise,
    provider_may_act_for,
    role_required,
)
from assessment.web.context import report_timezone
from assessment.web.extensions import db

bp = Blueprint("provider", __name__, url_prefix="/provider")
provider_required = role_required(Role.PROVIDER)


@bp.app_context_processor
def _acting_banner() -> dict:
    """For base.html's banner: `acting_enterprise()`, the enterprise a provider works for, and
    `acting_ended()`, the name of the one whose access ended as this request found out."""
    return {"acting_enterprise": current_enterprise, "acting_ended": lambda: g.get("acting_ended")}


@bp.app_template_filter("provider_name")
def _provider_name(user) -> str:
    """How a provider is named in history lists: its organisation."""
    return grants.provider_name(user)


@bp.get("/")
@provider_required
def home():
    """The enterprises whose grant to this provider is in force, with the last day of access."""
    rows = grants.granted_enterprises(db.session, current_user, ZoneInfo(report_timezone()))
    acting = current_enterprise()
    return render_template(
        "provider/home.html", rows=rows, acting_id=acting.id if acting is not None else None
    )


@bp.post("/act/<public_id>")
@provider_required
def act(public_id: str):
    """Work on behalf of one enterprise: 404 (audited) unless its grant to this provider is in
    force, exactly as for an enterprise that never granted it."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id))
    if enterprise is None:
        abort(404)
    if not provider_may_act_for(enterprise):
        abort(404)
    return redirect(url_for("survey.home"))


@bp.post("/stop")
@provider_required
def stop():
    """Stop working on behalf of an enterprise; back to the list."""
    session.pop(ACTING_KEY, None)
    return redirect(url_for("provider.home"))
