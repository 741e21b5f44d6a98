"""Admin: users and the audit log."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from assessment.services import audit, mfa
from assessment.services.accounts import hash_password, password_problem
from assessment.services.models import Enterprise, User
from assessment.web.access import admin_required
from assessment.web.admin.forms import (
    STATUS_ACTIVE,
    STATUS_INACTIVE,
    AuditFilterForm,
    UserActionForm,
    UserFilterForm,
    action_label,
    role_label,
    target_label,
)
from assessment.web.auth.mails import send_password_changed
from assessment.web.extensions import db
from assessment.web.pagination import pager

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Ids beyond a 32-bit integer cannot exist (and PostgreSQL would refuse to compare them).
MAX_ID = 2**31 - 1
TARGET_USER = "user"
USERS_PER_PAGE = 50
AUDIT_PER_PAGE = 50


@bp.app_template_filter("role_label")
def _role_label_filter(role: str | None) -> str:
    return role_label(role)


@bp.app_template_filter("action_label")
def _action_label_filter(action: str | None) -> str:
    return action_label(action)


@bp.app_template_filter("target_label")
def _target_label_filter(target_type: str | None) -> str:
    return target_label(target_type)


@bp.app_template_filter("compact_json")
def compact_json(value) -> str:
    """Audit details as one line of JSON (escaped by Jinja like any other text)."""
    if value in (None, "", {}, []):
        return ""
    return json.dumps(
        value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True, default=str
    )


def _target_user(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        abort(404)
    return user


def _back_to_users():
    """Back to the user list, keeping its filters when the form came from there."""
    target = request.form.get("next") or ""
    if target != "/admin/users" and not target.startswith("/admin/users?"):
        target = url_for("admin.users")
    return redirect(target)


def _record(action: str, user: User) -> None:
    audit.record(
        db.session,
        current_user._get_current_object(),
        action,
        target_type=TARGET_USER,
        target_id=str(user.id),
        details={"email": user.email},
        ip=request.remote_addr,
    )


@bp.get("/users")
@admin_required
def users():
    """Every account: searchable by email, filterable by role and status, paginated."""
    form = UserFilterForm(formdata=request.args)
    filters = form.clean()
    conditions = []
    if filters.get("q"):
        conditions.append(func.lower(User.email).contains(filters["q"].lower(), autoescape=True))
    if filters.get("role"):
        conditions.append(User.role == filters["role"])
    if filters.get("status") == STATUS_ACTIVE:
        conditions.append(User.active.is_(True))
    elif filters.get("status") == STATUS_INACTIVE:
        conditions.append(User.active.is_(False))
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = pager(request.args, total, USERS_PER_PAGE)
    rows = db.session.execute(
        select(User, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .options(selectinload(User.enterprise))  # its page is linked from the row
        .where(*conditions)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(pages.per_page)
        .offset(pages.offset)
    ).all()
    return render_template(
        "admin/users.html",
        form=form,
        rows=rows,
        pager=pages,
        filtered=bool(filters),
    )


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    """Deactivate an account and end all its sessions at once."""
    user = _target_user(user_id)
    if UserActionForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "warning")
        elif not user.active:
            flash(_("%(email)s is already deactivated.", email=user.email), "info")
        else:
            user.active = False
            user.session_version += 1
            _record(audit.DEACTIVATE_USER, user)
            flash(
                _("%(email)s is deactivated and signed out everywhere.", email=user.email),
                "success",
            )
    return _back_to_users()


@bp.post("/users/<int:user_id>/activate")
@admin_required
def activate(user_id: int):
    """Let a deactivated account sign in again."""
    user = _target_user(user_id)
    if UserActionForm().validate_on_submit():
        if user.active:
            flash(_("%(email)s is already active.", email=user.email), "info")
        else:
            user.active = True
            _record(audit.ACTIVATE_USER, user)
            flash(_("%(email)s can sign in again.", email=user.email), "success")
    return _back_to_users()


def _temporary_password(email: str) -> str:
    while True:
        candidate = secrets.token_urlsafe(12)
        if password_problem(candidate, email) is None:
            return candidate


@bp.post("/users/<int:user_id>/reset-password")
@admin_required
def reset_password(user_id: int):
    """Set a random temporary password, end the user's sessions and show the password once."""
    user = _target_user(user_id)
    if not UserActionForm().validate_on_submit():
        return _back_to_users()
    if user.id == current_user.id:
        flash(_("You cannot reset your own password here."), "warning")
        return _back_to_users()
    password = _temporary_password(user.email)
    user.password_hash = hash_password(password)
    user.session_version += 1
    _record(audit.RESET_PASSWORD, user)
    # The account's owner hears of it, in the site's language (theirs is not known).
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not send_password_changed(user, by_admin=True, lang=lang):
        flash(
            _("The email telling %(email)s of the reset could not be sent.", email=user.email),
            "warning",
        )
    response = make_response(
        render_template("admin/password_reset.html", user=user, password=password)
    )
    # The password is shown once: no browser or proxy may keep a copy of this page.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.post("/users/<int:user_id>/reset-mfa")
@admin_required
def reset_mfa(user_id: int):
    """Reset a user's two-step verification (lost phone and recovery codes): the user signs in
    with the password and, where it is required, sets it up again. Audited; ends the sessions."""
    user = _target_user(user_id)
    if UserActionForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot reset your own two-step verification here."), "warning")
        elif not (user.totp_secret or user.totp_enabled_at):
            flash(_("%(email)s has no two-step verification to reset.", email=user.email), "info")
        else:
            mfa.admin_reset(
                db.session, current_user._get_current_object(), user, request.remote_addr
            )
            flash(
                _("Two-step verification of %(email)s is reset; the user is signed out everywhere.",
                  email=user.email),
                "success",
            )  # fmt: skip
    return _back_to_users()


def _utc_start_of(day: date) -> datetime | None:
    """Local midnight (Asia/Shanghai) at the start of `day`, as naive UTC; None when out of range."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    try:
        local = datetime.combine(day, time.min, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


@bp.get("/audit", endpoint="audit")
@admin_required
def audit_log():
    """The audit log, newest first, filterable by action, user, target and date."""
    form = AuditFilterForm(formdata=request.args)
    filters = form.clean()
    until = None
    if filters.get("date_to"):
        try:
            until = _utc_start_of(filters["date_to"] + timedelta(days=1))
        except OverflowError:
            until = None
    query = audit.AuditQuery(
        action=filters.get("action"),
        user_email=filters.get("email"),
        target_id=filters.get("target_id"),
        since=_utc_start_of(filters["date_from"]) if filters.get("date_from") else None,
        until=until,
    )
    # One query for the requested page; a second only when the page number is out of range.
    wanted = pager(request.args, MAX_ID, AUDIT_PER_PAGE)
    rows, total = audit.search(db.session, query, wanted.page, wanted.per_page)
    pages = pager(request.args, total, AUDIT_PER_PAGE)
    if pages.page != wanted.page:
        rows, total = audit.search(db.session, query, pages.page, pages.per_page)
    return render_template(
        "admin/audit.html", form=form, rows=rows, pager=pages, filtered=bool(filters)
    )
