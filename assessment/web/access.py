"""Who may see what: enterprise users only their own data; service providers only the data of
enterprises whose grant is in force; the bureau reads everything."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from assessment.core.enums import Membership, Role
from assessment.core.questionnaire.model import Questionnaire
from assessment.services import grants
from assessment.services.models import Assessment, Enterprise
from assessment.services.town_officers import Scope, enterprise_visible, scope_of
from assessment.web.extensions import db

# The session key of the enterprise a service provider chose to work for (its public id).
ACTING_KEY = "acting_enterprise"


def role_required(*roles: str):
    """Signed-in users with one of `roles`; anonymous users go to sign-in, others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


enterprise_required = role_required(Role.ENTERPRISE)
# Who fills surveys: an enterprise's users, and service providers for the enterprise they act for.
filler_required = role_required(Role.ENTERPRISE, Role.PROVIDER)
bureau_required = role_required(Role.BUREAU, Role.ADMIN)
# The bureau's reading views: analysts and admins, and town officers within their towns (every
# such view applies `current_scope()`; `viewable_assessment` checks it for single assessments).
reader_required = role_required(Role.BUREAU, Role.ADMIN, Role.TOWN_OFFICER)
admin_required = role_required(Role.ADMIN)


def owner_required(view):
    """The enterprise's owner only: members (and everyone else signed in) get 403."""

    @wraps(view)
    @enterprise_required
    def wrapper(*args, **kwargs):
        if current_user.membership != Membership.OWNER:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def viewable_assessment(public_id: str) -> Assessment:
    """An assessment the current user may read, else 404 (never 403: ids reveal nothing)."""
    assessment = db.session.scalar(select(Assessment).where(Assessment.public_id == public_id))
    if assessment is None or not current_user.is_authenticated:
        abort(404)
    if (
        current_user.role == Role.ENTERPRISE
        and assessment.enterprise_id != current_user.enterprise_id
    ):
        abort(404)
    if current_user.role == Role.PROVIDER and not provider_may_act_for(assessment.enterprise):
        abort(404)
    if not enterprise_visible(assessment.enterprise, current_scope()):
        abort(404)  # a town officer: another town's enterprise
    return assessment


def current_scope() -> Scope:
    """The towns the signed-in user may see in the bureau's views (None: the whole city)."""
    return scope_of(current_user) if current_user.role == Role.TOWN_OFFICER else None


def own_assessment(public_id: str) -> Assessment:
    """An assessment of the signed-in enterprise (or of one that granted the signed-in service
    provider access), else 404."""
    assessment = viewable_assessment(public_id)
    if current_user.role not in (Role.ENTERPRISE, Role.PROVIDER):
        abort(404)
    return assessment


def current_enterprise() -> Enterprise | None:
    """The enterprise the signed-in user fills and views for: an enterprise user's own; for a
    service provider, the one it chose to act for while that enterprise's grant is in force
    (checked on every request, so a revoked or expired grant ends access at once); else None."""
    if not current_user.is_authenticated:
        return None
    if current_user.role == Role.ENTERPRISE:
        return current_user.enterprise
    if current_user.role != Role.PROVIDER:
        return None
    if "acting_enterprise" not in g:
        g.acting_enterprise = _acting_enterprise(session.get(ACTING_KEY))
    return g.acting_enterprise


def _acting_enterprise(public_id) -> Enterprise | None:
    if not isinstance(public_id, str):
        return None
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id))
    if (
        enterprise is None
        or grants.active_grant(db.session, current_user.id, enterprise.id) is None
    ):
        session.pop(ACTING_KEY, None)
        # Said once, on this response (the banner, or the flash of `acting_required`).
        g.acting_ended = enterprise.name if enterprise is not None else ""
        return None
    return enterprise


def provider_may_act_for(enterprise: Enterprise) -> bool:
    """True when `enterprise` has a grant in force for the signed-in provider; it then becomes
    the enterprise the provider acts for. A refusal is audited (the caller answers 404)."""
    if grants.active_grant(db.session, current_user.id, enterprise.id) is None:
        grants.record_denied(db.session, current_user, enterprise.public_id, request.remote_addr)
        return False
    if session.get(ACTING_KEY) != enterprise.public_id:  # unchanged: no new session cookie
        session[ACTING_KEY] = enterprise.public_id
    g.acting_enterprise = enterprise
    return True


def acting_required(view):
    """Enterprise users, and providers acting for an enterprise whose grant is in force; a
    provider without one goes to its list of enterprises (told why when its access ended)."""

    @wraps(view)
    @filler_required
    def wrapper(*args, **kwargs):
        if current_enterprise() is None:
            if g.get("acting_ended") is not None:
                flash(_("Your access to %(name)s has ended: its grant expired or was revoked.",
                        name=g.acting_ended), "warning")  # fmt: skip
            return redirect(url_for("provider.home"))
        return view(*args, **kwargs)

    return wrapper


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The exact questionnaire version an assessment was made with."""
    registry = current_app.extensions["questionnaires"]
    questionnaire = registry.get(assessment.questionnaire_id, assessment.questionnaire_version)
    if questionnaire is None:
        abort(404)
    return questionnaire


def registry():
    """The questionnaire registry of the current app."""
    return current_app.extensions["questionnaires"]
