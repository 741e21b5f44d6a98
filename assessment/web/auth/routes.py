"""Register, sign in, sign out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from assessment.services.accounts import (
    Registration,
    authenticate,
    end_sessions,
    register_enterprise,
)
from assessment.web.auth.forms import LoginForm, LogoutForm, RegisterForm
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db, limiter
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
