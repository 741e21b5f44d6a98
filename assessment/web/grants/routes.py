"""An enterprise's service providers (数字化服务商): the owner grants a registered provider account
access for a period, sees every grant (active, expired, revoked) and revokes; members see the list.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enums import Membership
from assessment.services import grants
from assessment.web.access import enterprise_required, owner_required
from assessment.web.context import report_timezone
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db, limiter
from assessment.web.forms_common import message
from assessment.web.grants.forms import GrantForm

bp = Blueprint("grants", __name__, url_prefix="/account/providers")


def _grant_limit() -> str:
    # Each try looks an address up: cap them so the form cannot list provider accounts.
    return current_app.config.get("RATELIMIT_GRANT", "30 per hour")


def _tz() -> ZoneInfo:
    return ZoneInfo(report_timezone())


def _render(form: GrantForm, status: int = 200):
    enterprise = current_user.enterprise
    rows = grants.grants_of(db.session, enterprise, _tz())
    is_owner = current_user.membership == Membership.OWNER
    return render_template(
        "grants/index.html", form=form, rows=rows, is_owner=is_owner, enterprise=enterprise
    ), status


@bp.get("/")
@enterprise_required
def index():
    """The enterprise's grants; the owner also gets the form to grant one."""
    form = GrantForm(formdata=None)
    form.ends_on.data = (grants.today_in(_tz()) + timedelta(days=grants.DEFAULT_DAYS)).isoformat()
    return _render(form)


@bp.post("/")
@owner_required
@limiter.limit(_grant_limit)
def create():
    """Grant (or extend) a provider's access; every problem is shown next to its field, with
    what was typed kept."""
    form = GrantForm()
    if csrf_failed():
        flash(_("The page had expired, so nothing was saved yet. Please check and send it again."),
              "warning")  # fmt: skip
        return _render(form)
    if not form.validate():
        return _render(form)
    try:
        grant = grants.grant(db.session, current_user.enterprise, form.email.data,
                             form.end_day(), current_user, _tz(), request.remote_addr)  # fmt: skip
    except grants.GrantError as exc:
        getattr(form, exc.field).errors.append(message(exc.problem))
        return _render(form)
    flash(_("%(name)s can now fill in and view your assessments until %(day)s.",
            name=grants.provider_name(grant.provider),
            day=grants.ends_on(grant.expires_at, _tz()).isoformat()), "success")  # fmt: skip
    return redirect(url_for("grants.index"))


@bp.post("/<int:grant_id>/revoke")
@owner_required
def revoke(grant_id: int):
    """End a provider's access now: its next request is refused."""
    if not 0 < grant_id < 2**31:
        abort(404)
    try:
        revoked = grants.revoke(db.session, current_user.enterprise, grant_id, current_user,
                                request.remote_addr)  # fmt: skip
    except LookupError:
        abort(404)
    if revoked is None:
        flash(_("This access had already ended."), "info")
    else:
        flash(_("Access of %(name)s is revoked.", name=grants.provider_name(revoked.provider)),
              "success")  # fmt: skip
    return redirect(url_for("grants.index"))
