"""Register, sign in, sign out; forgotten passwords and address verification by mailed links."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from assessment.services import audit
from assessment.services.accounts import (
    Registration,
    authenticate,
    end_sessions,
    register_enterprise,
)
from assessment.services.email_verification import verify_email
from assessment.services.password_reset import set_password, user_for_email, user_for_reset
from assessment.services.signed_links import LinkError
from assessment.web.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    RegisterForm,
    ResendVerificationForm,
)
from assessment.web.auth.mails import mail_verification_link, send_password_changed, send_reset_link
from assessment.web.auth.throttle import (
    RESEND_REFUSED,
    RESET_REFUSED,
    address_key,
    config_limit,
    too_many,
    user_key,
)
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db, limiter
from assessment.web.forms_common import message
from assessment.web.main.routes import _safe_next
from assessment.web.mfa.pending import begin as begin_second_step
from assessment.web.mfa.pending import needs_second_step

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _start_session(user) -> None:
    """Rotate the session at sign-in (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Register an enterprise and its first user."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if csrf_failed():
        flash(
            _("The page had expired, so nothing was saved yet. Please check and send it again."),
            "warning",
        )
    elif form.validate_on_submit():
        user = register_enterprise(
            db.session,
            Registration(
                uscc=form.uscc.data,
                name=form.name.data,
                town=form.town.data,
                industry=form.industry.data,
                employees=form.employees.data,
                revenue_wan=float(form.revenue_wan.data),
                contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data,
                email=form.email.data,
                password=form.password.data,
            ),
        )
        _start_session(user)
        flash(
            _("Welcome! Your enterprise is registered. Start with either questionnaire."), "success"
        )
        mail_verification_link(user)
        return redirect(url_for("survey.home"))
    return render_template("auth/register.html", form=form)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    error = None
    if csrf_failed():
        error = _("The page had expired. Please sign in again.")
    elif form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            # The same words for an unknown email and a wrong password.
            error = _("Email or password is not correct.")
        elif needs_second_step(user):
            # Not signed in yet: the code from the authenticator app comes first.
            return begin_second_step(user, request.args.get("next"))
        else:
            return signed_in(user, request.args.get("next"))
    return render_template("auth/login.html", form=form, error=error)


def signed_in(user, target: str | None):
    """Start the session and go where the user wanted (staff: the dashboard by default)."""
    _start_session(user)
    if user.role in ("bureau", "admin", "town_officer") and not target:
        target = url_for("bureau.dashboard") if "bureau" in current_app.blueprints else None
    return redirect(_safe_next(target))


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and invalidate every other session of this user."""
    form = LogoutForm()
    if form.validate_on_submit():
        end_sessions(db.session, current_user._get_current_object())
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


# --- forgotten passwords and address verification ----------------------------------------------

_RESET_IP = config_limit("RATELIMIT_RESET_IP")


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_RESET_IP, methods=["POST"], on_breach=too_many(RESET_REFUSED))
@limiter.limit(
    config_limit("RATELIMIT_RESET_ADDRESS"),
    key_func=address_key,
    methods=["POST"],
    on_breach=too_many(RESET_REFUSED),
)
def forgot():
    """Ask for a password-reset link: the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        user = user_for_email(db.session, form.email.data)
        if user is not None:
            # A failure is logged by send_mail; telling it here would tell who has an account.
            send_reset_link(user)
        # Answer no sooner than the floor, so the time taken does not tell either.
        floor = current_app.config["PASSWORD_RESET_MIN_SECONDS"]
        time.sleep(max(0.0, started + floor - time.monotonic()))
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


def _link_failed(error: LinkError, kind: str):
    """A link that does not work: what happened and how to get a new one (never a 500)."""
    response = make_response(
        render_template("auth/link_failed.html", problem=message(error.problem), kind=kind), 400
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_RESET_IP, methods=["POST"], on_breach=too_many(RESET_REFUSED))
def reset(token: str):
    """Choose a new password through a mailed link; every session of the account ends."""
    config = current_app.config
    try:
        user = user_for_reset(
            db.session, config["SECRET_KEY"], token, config["PASSWORD_RESET_MAX_AGE"]
        )
    except LinkError as error:
        return _link_failed(error, "reset")
    form = NewPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        set_password(
            db.session,
            user,
            form.password.data,
            audit.RESET_PASSWORD_BY_EMAIL,
            ip=request.remote_addr,
        )
        logout_user()  # whoever was signed in in this browser signs in again, with the new password
        flash(_("Your new password is set. Please sign in with it."), "success")
        if not send_password_changed(user):
            flash(_("The email confirming the change could not be sent."), "warning")
        return redirect(url_for("auth.login"))
    response = make_response(render_template("auth/reset.html", form=form, email=user.email))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/verify/<token>")
def verify(token: str):
    """Confirm an address through the mailed link (it may be opened on another device)."""
    config = current_app.config
    try:
        user, newly = verify_email(
            db.session,
            config["SECRET_KEY"],
            token,
            config["EMAIL_VERIFY_MAX_AGE"],
            request.remote_addr,
        )
    except LinkError as error:
        return _link_failed(error, "verify")
    return render_template("auth/verified.html", user=user, newly=newly)


@bp.post("/resend-verification")
@login_required
@limiter.limit(
    config_limit("RATELIMIT_VERIFY_RESEND"), key_func=user_key, on_breach=too_many(RESEND_REFUSED)
)
def resend_verification():
    """Mail the verification link again (from the account page or the review page)."""
    form = ResendVerificationForm()
    if form.validate_on_submit():
        if current_user.email_verified_at is None:
            mail_verification_link(current_user._get_current_object())
        else:
            flash(_("Your email address is already confirmed."), "info")
    return redirect(_safe_next(form.next.data or url_for("account.index")))
