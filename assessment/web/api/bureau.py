"""/api/v1/bureau: the bureau's enterprise list, one enterprise's history, the dashboard figures
and a campaign's progress, within the token owner's scope (a town officer's towns only); the
exports are in `bureau_exports.py`."""

from __future__ import annotations

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
    list_cursor,
)
from assessment.services.api_tokens import BUREAU_READ
from assessment.services.models import Assessment, Enterprise
from assessment.services.town_officers import enterprise_visible, scope_of
from assessment.web.api import schemas as s
from assessment.web.api.core import blueprint, scope_required
from assessment.web.api.problems import problem
from assessment.web.bureau.forms import filter_form
from assessment.web.extensions import db

blp = blueprint("api_bureau", "The bureau's figures, within the token owner's scope.")
READERS = (Role.BUREAU, Role.ADMIN, Role.TOWN_OFFICER)
LIST_ARGS = ("limit", "cursor", "sort", "dir", "search")  # the list's own, not filters


def filters_of(query: dict):
    """The dashboard's filters from the query, limited to the caller's towns."""
    if g.api_user.role not in READERS:
        abort(403)
    args = MultiDict({k: v for k, v in query.items() if k not in LIST_ARGS})
    filters, ignored = filter_form(args, scope_of(g.api_user)).resolve()
    return filters, [str(message) for message in ignored]


def as_utc(value):
    """A naive UTC time as RFC 3339 wants it (with its offset)."""
    return value.replace(tzinfo=UTC) if value else None


def _enterprise(ent: Enterprise) -> dict:
    return {"id": ent.public_id, "name": ent.name, "uscc": ent.uscc, "town": ent.town,
            "industry": ent.industry, "size_class": ent.size_class}  # fmt: skip


def cursor_key() -> bytes:
    """The key cursors are signed with (derived from the app's secret key)."""
    return str(current_app.config["SECRET_KEY"]).encode()


def _bad_cursor() -> Response:
    """A cursor this list did not give (cut, edited, or made for another sort or direction)."""
    message = _("This cursor is not valid for this list; start again without one.")
    return problem(400, message, {"cursor": [message]})


@blp.get("/bureau/enterprises")
@scope_required(BUREAU_READ)
@blp.arguments(s.ListQuery, location="query")
@blp.response(200, s.EnterprisePageSchema)
def enterprises(query: dict):
    """Assessed enterprises with their latest scores, sorted by `sort` (default: total, highest
    first), a page at a time: follow `next_cursor` until it is null. The cursor is a keyset
    position (the last row's sort value and id), so a deep page is as fast as the first and rows
    submitted meanwhile never repeat a row."""
    filters, ignored = filters_of(query)
    questionnaire = current_app.extensions["questionnaires"].get(filters.questionnaire_id,
                                                                 filters.version)  # fmt: skip
    sort, descending = query["sort"], query["dir"] == "desc"
    if sort not in enterprise_list.sort_keys(questionnaire):
        abort(422, messages={"sort": [_("This list cannot be sorted by this column.")]})
    try:
        cursor = (
            list_cursor.decode(query["cursor"], sort, descending, cursor_key())
            if "cursor" in query
            else None
        )
    except list_cursor.CursorError:
        return _bad_cursor()
    found = enterprise_list.page_after(db.session, filters, query.get("search"), sort, descending,
                                       query["limit"], cursor)  # fmt: skip
    if g.api_user.role == Role.TOWN_OFFICER:
        audit.record(db.session, g.api_user, audit.VIEW_ENTERPRISE_LIST, "filter", None,
                     filters.describe(), commit=True)  # fmt: skip
    items = [
        {"enterprise": _enterprise(r.enterprise), "assessment": r.assessment_public_id,
         "version": r.version, "submitted_at": as_utc(r.submitted_at), "total": r.total,
         "stage": r.stage, "dimensions": r.dimensions}
        for r in found.rows
    ]  # fmt: skip
    following = found.next_cursor.encode(cursor_key()) if found.next_cursor is not None else None
    return {"items": items, "next_cursor": following, "filters": filters.describe(),
            "ignored": ignored}  # fmt: skip


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
         "version": a.questionnaire_version, "submitted_at": as_utc(a.submitted_at),
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
    filters, ignored = filters_of(query)
    data = bureau_stats.cached_dashboard(db.session, current_app.extensions["cache"], filters)
    if g.api_user.role == Role.TOWN_OFFICER:
        audit.record(db.session, g.api_user, audit.VIEW_DASHBOARD, "filter", None,
                     filters.describe())  # fmt: skip
    return {"filters": filters.describe(), "ignored": ignored,
            "participants": data.participants, "submissions": data.submissions,
            "mean": data.mean, "median": data.median, "stages": dict(data.stages),
            "histogram": list(data.histogram), "by_industry": _groups(data.by_industry),
            "by_town": _groups(data.by_town), "by_size": _groups(data.by_size)}  # fmt: skip


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
