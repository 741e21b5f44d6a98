"""/account/tokens: the signed-in user's API tokens: list, create (the secret shown once), revoke."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessment.core.enums import Role
from assessment.services import api_tokens, audit, grants
from assessment.web.api import acting
from assessment.web.api_tokens.forms import PROVIDER_SCOPE_LABELS, SCOPE_LABELS, TokenForm
from assessment.web.context import report_timezone
from assessment.web.extensions import db
from assessment.web.forms_common import message

bp = Blueprint("api_tokens", __name__, url_prefix="/account")


def _labels() -> dict:
    provider = current_user.role == Role.PROVIDER
    return SCOPE_LABELS | PROVIDER_SCOPE_LABELS if provider else SCOPE_LABELS


def _form() -> TokenForm:
    form = TokenForm()
    allowed = api_tokens.allowed_scopes(current_user)
    form.scopes.choices = [(scope, _labels()[scope]) for scope in allowed]
    return form


def _granted() -> list:
    """For a service provider: the enterprises it may name in `X-Enterprise` now, with their ids."""
    if current_user.role != Role.PROVIDER:
        return []
    return grants.granted_enterprises(db.session, current_user, ZoneInfo(report_timezone()))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def index():
    """The user's tokens and the form to create one; a new token's secret is shown only here,
    once, in the response to the creating POST."""
    form = _form()
    created = None
    if not form.scopes.choices:
        abort(403)
    if form.validate_on_submit():
        problems = api_tokens.check(current_user, form.name.data, form.scopes.data, form.days.data)
        for field, problem in problems.items():
            getattr(form, field).errors.append(message(problem))
        if not problems:
            created = api_tokens.create(db.session, current_user, form.name.data,
                                        form.scopes.data, form.days.data)  # fmt: skip
            audit.record(db.session, current_user, audit.CREATE_API_TOKEN, "api_token",
                         str(created.token.id), {"scopes": created.token.scopes},
                         request.remote_addr)  # fmt: skip
            form = _form()
            form.name.data = ""
    tokens = api_tokens.list_for(db.session, current_user)
    return render_template("account/tokens.html", form=form, created=created, tokens=tokens,
                           labels=_labels(), active=api_tokens.is_active, granted=_granted(),
                           header=acting.HEADER)  # fmt: skip


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of the user's tokens: it stops working at once."""
    if api_tokens.revoke(db.session, current_user, token_id):
        audit.record(db.session, current_user, audit.REVOKE_API_TOKEN, "api_token",
                     str(token_id), ip=request.remote_addr)  # fmt: skip
        flash(_("The token was revoked; it no longer works."), "success")
    else:
        abort(404)
    return redirect(url_for("api_tokens.index"))
