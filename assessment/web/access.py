"""Who may see what: enterprise users only their own data; the bureau reads everything."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import select

from assessment.core.enums import Membership, Role
from assessment.core.questionnaire.model import Questionnaire
from assessment.services.models import Assessment
from assessment.web.extensions import db


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
bureau_required = role_required(Role.BUREAU, Role.ADMIN)
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
    return assessment


def own_assessment(public_id: str) -> Assessment:
    """An assessment of the signed-in enterprise, else 404."""
    assessment = viewable_assessment(public_id)
    if current_user.role != Role.ENTERPRISE:
        abort(404)
    return assessment


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
