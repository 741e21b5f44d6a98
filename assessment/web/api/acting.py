"""Whose data an enterprise endpoint serves: an enterprise user's own enterprise; for a service
provider's token, the enterprise named by the `X-Enterprise` header on each request, while that
enterprise's grant to the provider is in force (checked on every call, as `web/access.py` does for
the pages: a revoked or expired grant ends access at the next request)."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select

from assessment.core.enums import Role
from assessment.services import grants
from assessment.services.models import Enterprise
from assessment.web.extensions import db

HEADER = "X-Enterprise"
# Documented on every operation that reads or writes one enterprise's data (flask-smorest route
# parameters: they sit beside each operation's own parameters).
PARAMETERS = [
    {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 32},
        "description": "Service provider tokens only, and then required: the public id of the "
        "enterprise this call is for (one whose grant to the provider is in force; "
        "`/provider/` lists them). Ignored for an enterprise user's token, which always "
        "means its own enterprise.",
    }
]


def enterprise() -> Enterprise:
    """The enterprise this call is for (403 for a token of any other role, or a provider whose
    grant from the named enterprise is not in force; 422 for a provider that names none)."""
    if "api_enterprise" not in g:
        g.api_enterprise = _resolve()
    return g.api_enterprise


def _resolve() -> Enterprise:
    user = g.api_user
    if user.role == Role.ENTERPRISE and user.enterprise is not None:
        return user.enterprise
    if user.role != Role.PROVIDER:
        abort(403)
    public_id = (request.headers.get(HEADER) or "").strip()
    if not public_id:
        abort(422, messages={HEADER: [_("Name the enterprise this call is for (its id).")]})
    found = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id[:32]))
    if found is None or grants.active_grant(db.session, user.id, found.id) is None:
        grants.record_denied(db.session, user, public_id[:32], request.remote_addr)
        abort(403, detail=_("This enterprise has no grant in force for your account: it has "
                            "expired, was revoked, or was never made."))  # fmt: skip
    return found


def acting_for() -> Enterprise | None:
    """The enterprise a provider's call was for (for its audit row), or None."""
    found = g.get("api_enterprise")
    return found if found is not None and g.api_user.role == Role.PROVIDER else None
