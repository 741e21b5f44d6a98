"""Two-step verification pages: the account's security page (enrol, recovery codes, turn off),
the sign-in step after the password, and the guard that sends staff to enrol when it is
required."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required
from markupsafe import Markup

from assessment.services import mfa
from assessment.services.mfa import Check
from assessment.web.auth.routes import signed_in
from assessment.web.extensions import db, limiter
from assessment.web.mfa import pending
from assessment.web.mfa.forms import (
    ChallengeForm,
    ConfirmForm,
    DisableForm,
    RegenerateForm,
    StartForm,
)

bp = Blueprint("mfa", __name__)

# What a staff user who must enrol may still reach: the enrolment itself, signing out, the
# language switch and the pages anyone may read.
ENROLMENT_ENDPOINTS = frozenset(
    {"mfa.security", "mfa.start", "mfa.confirm", "auth.logout", "static", "main.set_language",
     "main.privacy", "main.healthz"}
)  # fmt: skip


def _user_key() -> str:
    uid = current_user.id if current_user.is_authenticated else pending.pending_id()
    return f"mfa-user:{uid if uid is not None else 'none'}"


def _user_limit() -> str:
    return current_app.config["RATELIMIT_MFA_USER"]


def _ip_limit() -> str:
    return current_app.config["RATELIMIT_MFA_IP"]


def _failed_attempt(_response) -> bool:
    # Only wrong codes (and wrong passwords when turning off) count against the limits: a user
    # who signs in every day is never slowed down.
    return bool(g.get("mfa_failed"))


def _fail(field, message: str) -> None:
    g.mfa_failed = True
    field.errors = [*field.errors, message]


# Shared scopes: wrong codes at sign-in, enrolment, new recovery codes and turning off all add up.
per_user = limiter.shared_limit(
    _user_limit, "mfa-user", key_func=_user_key, methods=["POST"], deduct_when=_failed_attempt
)
per_ip = limiter.shared_limit(_ip_limit, "mfa-ip", methods=["POST"], deduct_when=_failed_attempt)


def _code_message(result: Check) -> str:
    if result is Check.REPLAYED:
        return _("This code was already used. Wait for the next one in your app, then enter it.")
    return _("This code is not correct. Check that your phone's time is right and try again.")


@bp.errorhandler(RateLimitExceeded)
def _throttled(_exc):
    """Too many wrong codes: the page again, with a clear message instead of the form's result."""
    message = _("Too many wrong codes. For your security, wait a few minutes before trying again.")
    if request.endpoint == "mfa.challenge":
        page = render_template("mfa/challenge.html", form=ChallengeForm(), error=message)
        return page, 429
    flash(message, "error")
    return _security_page(status=429)


@bp.before_app_request
def _staff_must_enrol():
    """Where MFA is required, a staff user without it reaches only the enrolment."""
    if not current_app.config.get("MFA_REQUIRED") or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if request.endpoint is None or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if mfa.is_required(user, True) and not mfa.is_enabled(user):
        return redirect(url_for("mfa.security"))
    return None


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG, drawn here (no external service, no script)."""
    svg = segno.make(uri, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="qr")
    # segno writes only path data and attributes it computed: nothing from the user is in it.
    return Markup(svg)


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _no_store(response):
    # Secrets and recovery codes: no browser or proxy may keep a copy of the page.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _security_page(confirm_form=None, regenerate_form=None, disable_form=None, status=200):
    user = current_user._get_current_object()
    enabled = mfa.is_enabled(user)
    context = {
        "enabled": enabled,
        "required": mfa.is_required(user, current_app.config["MFA_REQUIRED"]),
        "start_form": StartForm(),
        "confirm_form": confirm_form or ConfirmForm(),
        "regenerate_form": regenerate_form or RegenerateForm(),
        "disable_form": disable_form or DisableForm(),
    }
    if enabled:
        context["codes_left"] = mfa.recovery_codes_left(db.session, user)
        context["total_codes"] = mfa.RECOVERY_CODES
    elif user.totp_secret:
        context["qr"] = qr_svg(mfa.provisioning_uri(user))
        context["secret"] = _group(user.totp_secret)
    page = render_template("mfa/security.html", **context)
    return _no_store(make_response(page, status))


def _recovery_codes_page(codes: list[str]):
    return _no_store(make_response(render_template("mfa/recovery_codes.html", codes=codes)))


@bp.get("/account/security")
@login_required
def security():
    """Two-step verification: whether it is on, setting it up, recovery codes, turning it off."""
    return _security_page()


@bp.post("/account/security/start")
@login_required
def start():
    """A new secret and QR code (replacing an unconfirmed one)."""
    if StartForm().validate_on_submit() and not mfa.is_enabled(current_user):
        mfa.start_enrolment(db.session, current_user._get_current_object())
    return redirect(url_for("mfa.security", _anchor="setup"))


@bp.post("/account/security/confirm")
@login_required
@per_user
@per_ip
def confirm():
    """The first code from the app turns two-step verification on; the recovery codes follow."""
    user = current_user._get_current_object()
    if mfa.is_enabled(user) or not user.totp_secret:
        return redirect(url_for("mfa.security"))
    form = ConfirmForm()
    if form.validate_on_submit():
        result, codes = mfa.confirm_enrolment(db.session, user, form.code.data, request.remote_addr)
        if result is Check.OK:
            flash(_("Two-step verification is on."), "success")
            return _recovery_codes_page(codes)
        _fail(form.code, _code_message(result))
    return _security_page(confirm_form=form)


@bp.post("/account/security/recovery-codes")
@login_required
@per_user
@per_ip
def regenerate():
    """Ten new recovery codes (the old ones stop working), after a code from the app."""
    user = current_user._get_current_object()
    if not mfa.is_enabled(user):
        return redirect(url_for("mfa.security"))
    form = RegenerateForm()
    if form.validate_on_submit():
        result = mfa.check_totp(db.session, user, form.code.data)
        if result is Check.OK:
            codes = mfa.regenerate_recovery_codes(db.session, user, request.remote_addr)
            flash(_("New recovery codes are ready. The old ones no longer work."), "success")
            return _recovery_codes_page(codes)
        _fail(form.code, _code_message(result))
    return _security_page(regenerate_form=form)


@bp.post("/account/security/disable")
@login_required
@per_user
@per_ip
def disable():
    """Turn two-step verification off: the password and a code from the app, and never for a
    role that must use it."""
    user = current_user._get_current_object()
    if not mfa.is_enabled(user):
        return redirect(url_for("mfa.security"))
    if mfa.is_required(user, current_app.config["MFA_REQUIRED"]):
        flash(_("Two-step verification is required for your role and cannot be turned off."),
              "warning")  # fmt: skip
        return redirect(url_for("mfa.security"))
    form = DisableForm()
    if form.validate_on_submit():
        if not mfa.password_matches(user, form.password.data):
            _fail(form.password, _("This password is not correct."))
        else:
            result = mfa.check_totp(db.session, user, form.code.data)
            if result is Check.OK:
                mfa.disable(db.session, user, request.remote_addr)
                flash(_("Two-step verification is off. You sign in with your password only."),
                      "success")  # fmt: skip
                return redirect(url_for("mfa.security"))
            _fail(form.code, _code_message(result))
    return _security_page(disable_form=form)


@bp.route("/auth/mfa", methods=["GET", "POST"])
@per_user
@per_ip
def challenge():
    """The sign-in step after the password: a code from the app, or one recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, expired = pending.pending_user()
    if user is None:
        pending.forget()
        if expired:
            flash(_("The sign-in took too long. Please enter your password again."), "warning")
        return redirect(url_for("auth.login"))
    form = ChallengeForm()
    if form.validate_on_submit():
        raw = form.code.data
        by_recovery = not mfa.looks_like_totp(raw)
        if by_recovery:
            ok = mfa.use_recovery_code(db.session, user, raw, request.remote_addr)
            result = Check.OK if ok else Check.WRONG
        else:
            result = mfa.check_totp(db.session, user, raw)
        if result is Check.OK:
            response = signed_in(user, pending.pending_target())
            if by_recovery:  # after signed_in: starting the session clears earlier messages
                left = mfa.recovery_codes_left(db.session, user)
                flash(_("You signed in with a recovery code; it cannot be used again. "
                        "%(left)s recovery codes are left.", left=left), "warning")  # fmt: skip
            return response
        message = _code_message(result)
        if by_recovery:
            message = _("This is not one of your recovery codes, or it was already used.")
        _fail(form.code, message)
    return render_template("mfa/challenge.html", form=form, error=None)
