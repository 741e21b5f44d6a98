"""The signed-in user's own account: one page linking each part (password, security, colleagues,
service providers, the enterprise profile, my data); each part lives in its own area."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessment.services import audit
from assessment.services.password_reset import set_password
from assessment.web.account.forms import ChangePasswordForm
from assessment.web.auth.mails import send_password_changed
from assessment.web.auth.routes import _start_session
from assessment.web.auth.throttle import PASSWORD_REFUSED, config_limit, too_many, user_key
from assessment.web.extensions import db, limiter

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("/")
@login_required
def index():
    """The account overview."""
    return render_template("account/index.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    config_limit("RATELIMIT_LOGIN"),
    key_func=user_key,
    methods=["POST"],
    on_breach=too_many(PASSWORD_REFUSED),
)
def password():
    """Change one's own password: every other session ends, this one carries on."""
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        user = current_user._get_current_object()
        set_password(
            db.session, user, form.password.data, audit.CHANGE_PASSWORD, ip=request.remote_addr
        )
        _start_session(user)  # a fresh session with the new session version: still signed in here
        flash(_("Your password has been changed. Every other device was signed out."), "success")
        if not send_password_changed(user):
            flash(_("The email confirming the change could not be sent."), "warning")
        return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)
