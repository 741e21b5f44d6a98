"""Joining a campaign through an invitation: the personal link (/join/<code>) opens the registration
form filled in from the bureau's list, and registering binds the new enterprise to its target; a
code read off the letter can be typed at /join. Failed codes are throttled per address."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assessment.core.enums import Role
from assessment.services import campaigns
from assessment.services.accounts import Registration, register_enterprise
from assessment.services.models import CampaignTarget
from assessment.web.auth.forms import RegisterForm
from assessment.web.auth.mails import mail_verification_link
from assessment.web.auth.routes import signed_in
from assessment.web.auth.throttle import too_many
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db, limiter
from assessment.web.join.forms import CodeForm

bp = Blueprint("join", __name__, url_prefix="/join")

JOIN_REFUSED = _l(
    "Too many invitation codes that do not exist were tried from your network. Please check "
    "the code on your letter and try again later."
)


def _join_limit() -> str:
    return current_app.config.get("RATELIMIT_JOIN", "10 per 5 minutes;30 per hour")


def _failed(response) -> bool:
    # Only wrong codes count: a personal link whose code does not exist (404), and a typed
    # code the code page refused (it answers 200 then, and 302 when it takes the code).
    if response.status_code == 404:
        return True
    return (
        request.endpoint == "join.enter"
        and request.method == "POST"
        and (response.status_code == 200)
    )


_throttle = limiter.shared_limit(
    _join_limit, scope="join", deduct_when=_failed, on_breach=too_many(JOIN_REFUSED)
)


def _signed_in_elsewhere(target: CampaignTarget | None):
    """Where a signed-in user goes: an invitation is for registering a new enterprise."""
    if (
        target is not None
        and current_user.role == Role.ENTERPRISE
        and target.enterprise_id == current_user.enterprise_id
    ):
        flash(_("Your enterprise is already part of this campaign."), "info")
        return redirect(url_for("survey.home"))
    flash(_("You are signed in. To register another enterprise with an invitation, sign out "
            "first."), "info")  # fmt: skip
    return redirect(url_for("main.index"))


@bp.route("", methods=["GET", "POST"])
@_throttle
def enter():
    """Type the invitation code printed on the letter."""
    if current_user.is_authenticated:
        return _signed_in_elsewhere(None)
    form = CodeForm()
    if form.validate_on_submit():
        target = campaigns.target_by_code(db.session, form.code.data)
        if target is not None:
            return redirect(url_for("join.register", code=target.invite_code))
        form.code.errors.append(_("There is no invitation with this code. Check it against "
                                  "your letter (letters and digits; 0, O, 1 and I are never "
                                  "used)."))  # fmt: skip
    return render_template("join/enter.html", form=form)


def _prefill(target: CampaignTarget) -> dict:
    return {
        "uscc": target.uscc, "name": target.name, "town": target.town,
        "industry": target.industry, "employees": target.employees,
        "revenue_wan": target.revenue_wan, "contact_name": target.contact_name,
        "contact_phone": target.contact_phone, "email": target.contact_email,
    }  # fmt: skip


def _registration(form: RegisterForm, target: CampaignTarget) -> Registration:
    return Registration(
        uscc=form.uscc.data, name=form.name.data, town=form.town.data,
        industry=form.industry.data, employees=form.employees.data,
        revenue_wan=float(form.revenue_wan.data), contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data, email=form.email.data,
        password=form.password.data, invite_code=target.invite_code,
    )  # fmt: skip


@bp.route("/<code>", methods=["GET", "POST"])
@_throttle
def register(code: str):
    """The personal link: registration filled in from the bureau's list, bound to the target."""
    target = campaigns.target_by_code(db.session, code)
    if target is None:
        return render_template("join/enter.html", form=CodeForm(), unknown=True), 404
    if current_user.is_authenticated:
        return _signed_in_elsewhere(target)
    if target.enterprise_id is not None:
        return render_template("join/registered.html", target=target)
    form = RegisterForm() if request.method == "POST" else RegisterForm(data=_prefill(target))
    if csrf_failed():
        flash(_("The page had expired, so nothing was saved yet. Please check and send it "
                "again."), "warning")  # fmt: skip
    elif form.validate_on_submit():
        user = register_enterprise(db.session, _registration(form, target))
        flash(_("Welcome! Your enterprise is registered and linked to “%(campaign)s”.",
                campaign=target.campaign.name), "success")  # fmt: skip
        mail_verification_link(user)
        return signed_in(user, url_for("survey.home"))
    return render_template("auth/register.html", form=form, invitation=target)
