"""/api/v1/bureau: the bureau's enterprise list, one enterprise's history, the dashboard figures
and the CSV export, within the token owner's scope (a town officer's towns only)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC

from flask import Response, current_app, g
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from assessment.core.enums import Role, Status
from assessment.services import (
    audit,
    bureau_stats,
    campaign_progress,
    campaigns,
    enterprise_list,
    exports,
)
from assessment.services.api_tokens import BUREAU_EXPORT, BUREAU_READ
from assessment.services.models import Assessment, Enterprise
from assessment.services.town_officers import enterprise_visible, scope_of
from assessment.web.api import schemas as s
from assessment.web.api.core import blueprint, scope_required
from assessment.web.bureau.forms import filter_form
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

blp = blueprint("api_bureau", "The bureau's figures, within the token owner's scope.")
READERS = (Role.BUREAU, Role.ADMIN, Role.TOWN_OFFICER)


def _filters(query: dict):
    """The dashboard's filters from the query, limited to the caller's towns."""
    if g.api_user.role not in READERS:
        abort(403)
    args = MultiDict({k: v for k, v in query.items() if k not in ("limit", "cursor")})
    filters, ignored = filter_form(args, scope_of(g.api_user)).resolve()
    return filters, [str(message) for message in ignored]


def _utc(value):
    return value.replace(tzinfo=UTC) if value else None


def _enterprise(ent: Enterprise) -> dict:
    return {"id": ent.public_id, "name": ent.name, "uscc": ent.uscc, "town": ent.town,
            "industry": ent.industry, "size_class": ent.size_class}  # fmt: skip


def _offset(cursor: str | None) -> int:
    """The position an opaque cursor stands for (422 for one this API did not give)."""
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        abort(422, messages={"cursor": [_("This cursor is not valid; start without one.")]})
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


@blp.get("/bureau/enterprises")
@scope_required(BUREAU_READ)
@blp.arguments(s.ListQuery, location="query")
@blp.response(200, s.EnterprisePageSchema)
def enterprises(query: dict):
    """Assessed enterprises with their latest scores, by total (highest first), a page at a
    time: follow `next_cursor` until it is null."""
    filters, ignored = _filters(query)
    limit, offset = query["limit"], _offset(query.get("cursor"))
    rows = enterprise_list.page(db.session, filters, None, "total", True, limit + 1, offset)
    if g.api_user.role == Role.TOWN_OFFICER:
        audit.record(db.session, g.api_user, audit.VIEW_ENTERPRISE_LIST, "filter", None,
                     filters.describe(), commit=True)  # fmt: skip
    items = [
        {"enterprise": _enterprise(r.enterprise), "assessment": r.assessment_public_id,
         "version": r.version, "submitted_at": _utc(r.submitted_at), "total": r.total,
         "stage": r.stage, "dimensions": r.dimensions}
        for r in rows[:limit]
    ]  # fmt: skip
    more = len(rows) > limit
    return {"items": items, "next_cursor": _cursor(offset + limit) if more else None,
            "filters": filters.describe(), "ignored": ignored}  # fmt: skip


@blp.get("/bureau/enterprises/<public_id>")
@scope_required(BUREAU_READ)
@blp.response(200, s.HistorySchema)
def enterprise(public_id: str):
    """One enterprise and every assessment it submitted (404 outside the caller's towns)."""
    if g.api_user.role not in READERS:
        abort(403)
    ent = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id[:32]))
    if ent is None or (ent.is_demo and not current_app.config["DEMO_MODE"]):
        abort(404)
    if not enterprise_visible(ent, scope_of(g.api_user)):
        abort(404)
    items = db.session.scalars(
        select(Assessment)
        .where(Assessment.enterprise_id == ent.id, Assessment.status == Status.SUBMITTED)
        .order_by(Assessment.submitted_at)
    ).all()
    audit.record(db.session, g.api_user, audit.VIEW_ENTERPRISE, "enterprise", ent.public_id,
                 {"name": ent.name, "api": True})  # fmt: skip
    return {"enterprise": _enterprise(ent), "assessments": [
        {"id": a.public_id, "questionnaire": a.questionnaire_id,
         "version": a.questionnaire_version, "submitted_at": _utc(a.submitted_at),
         "total": a.total, "stage": a.stage} for a in items]}  # fmt: skip


def _groups(rows) -> list[dict]:
    return [{"key": r.key, "n": r.n, "mean": r.mean, "median": r.median, "stages": r.stages}
            for r in rows]  # fmt: skip


@blp.get("/bureau/dashboard")
@scope_required(BUREAU_READ)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, s.DashboardSchema)
def dashboard(query: dict):
    """The dashboard's figures for any filter."""
    filters, ignored = _filters(query)
    data = bureau_stats.cached_dashboard(db.session, current_app.extensions["cache"], filters)
    if g.api_user.role == Role.TOWN_OFFICER:
        audit.record(db.session, g.api_user, audit.VIEW_DASHBOARD, "filter", None,
                     filters.describe())  # fmt: skip
    return {"filters": filters.describe(), "ignored": ignored,
            "participants": data.participants, "submissions": data.submissions,
            "mean": data.mean, "median": data.median, "stages": dict(data.stages),
            "histogram": list(data.histogram), "by_industry": _groups(data.by_industry),
            "by_town": _groups(data.by_town), "by_size": _groups(data.by_size)}  # fmt: skip


@blp.get("/bureau/export.csv")
@scope_required(BUREAU_EXPORT)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, content_type="text/csv", description="The CSV export (UTF-8 with BOM).")
def export(query: dict):
    """The CSV export of the enterprises in the filter, with their latest scores."""
    filters, _ignored = _filters(query)
    questionnaire = current_app.extensions["questionnaires"].get(filters.questionnaire_id,
                                                                 filters.version)  # fmt: skip
    audit.record(db.session, g.api_user, audit.EXPORT_CSV, "filter", None, filters.describe())
    rows = enterprise_list.iter_all(db.session, filters, None,
                                    answers=exports.rescored(questionnaire))  # fmt: skip
    body = b"".join(exports.csv_chunks(rows, questionnaire, current_lang(),
                                       exports.export_texts(_)))  # fmt: skip
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="export.csv"'},
    )


def _progress_row(row) -> dict:
    return {"key": row.key, "targets": row.targets, "registered": row.registered,
            "started": row.started, "submitted": row.submitted, "approved": row.approved,
            "returned": row.returned}  # fmt: skip


@blp.get("/bureau/campaigns/<public_id>/progress")
@scope_required(BUREAU_READ)
@blp.response(200, s.ProgressSchema)
def progress(public_id: str):
    """A campaign's targets, registered, started, submitted, approved and returned, in total,
    by town and by industry (a town officer: its towns only)."""
    if g.api_user.role not in READERS:
        abort(403)
    campaign = campaigns.by_public_id(db.session, public_id[:32], current_app.config["DEMO_MODE"])
    if campaign is None:
        abort(404)
    scope = scope_of(g.api_user)
    data = campaign_progress.progress(db.session, campaign, scope)
    audit.record(db.session, g.api_user, audit.VIEW_PROGRESS, "campaign", campaign.public_id,
                 {"name": campaign.name, "towns": sorted(scope) if scope is not None else None})  # fmt: skip
    return {"campaign": campaign.public_id, "name": campaign.name,
            "total": _progress_row(data.total), "by_town": [_progress_row(r) for r in data.by_town],
            "by_industry": [_progress_row(r) for r in data.by_industry]}  # fmt: skip
