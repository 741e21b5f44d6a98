"""The economic bureau's workspace: dashboard, enterprises, exports, batch reports."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from assessment.core.charts import line_chart, to_svg
from assessment.core.enums import Role, Status
from assessment.core.levels import plain
from assessment.core.questionnaire.model import Level
from assessment.services import audit, bureau_stats, enterprise_list, exports
from assessment.services.bureau_filters import Filters
from assessment.services.models import Assessment, Enterprise
from assessment.services.town_officers import enterprise_visible
from assessment.web.access import current_scope, reader_required, registry
from assessment.web.bureau import batch
from assessment.web.bureau.forms import filter_form
from assessment.web.charts import dashboard_charts, history_chart
from assessment.web.extensions import db
from assessment.web.i18n import current_lang
from assessment.web.pagination import pager

bp = Blueprint("bureau", __name__, url_prefix="/bureau")


def _filters():
    form = filter_form(request.args, current_scope())
    filters, ignored = form.resolve()
    for message in ignored:
        flash(message, "warning")
    return form, filters


def _record_officer_view(action: str, filters: Filters) -> None:
    """A town officer's every view is audited, the aggregate ones too (the bureau's are not)."""
    if current_user.role == Role.TOWN_OFFICER:
        audit.record(db.session, current_user, action, "filter", None, filters.describe(),
                     request.remote_addr)  # fmt: skip


def cached_dashboard(filters: Filters) -> bureau_stats.Dashboard:
    """The dashboard numbers, from the worker's cache when still current."""
    return bureau_stats.cached_dashboard(db.session, current_app.extensions["cache"], filters)


def _cloud_tiers(filters: Filters):
    cloud = registry().get("cloud")
    if cloud is None or filters.questionnaire_id == "cloud":
        return None
    cloud_filters = replace(filters, questionnaire_id=cloud.id, version=cloud.version,
                            versions=registry().pooled(cloud.id, cloud.version))  # fmt: skip
    total, counts = bureau_stats.cached_stage_shares(
        db.session, current_app.extensions["cache"], cloud_filters
    )
    return {"questionnaire": cloud, "total": total, "counts": counts}


def _target_trend(data: bureau_stats.Dashboard, target: tuple[Level, ...]) -> Markup | None:
    """The share of each quarter's submissions at the target level or above, as a line (%)."""
    if not target or not data.trend_stages:
        return None
    ids = [lv.id for lv in target]
    title = _("Share of submissions at %(level)s or above by quarter (%%)",
              level=target[0].label.get(current_lang()))  # fmt: skip
    figure = line_chart([q.quarter for q in data.trend_stages],
                        [100 * q.share(ids) for q in data.trend_stages], title=title)  # fmt: skip
    return Markup(to_svg(figure))


def _exact(value) -> str:
    """A points figure exactly as summed (S = 75.975 is never shown as 75.97 or 75.98, so a
    rounded 40.00 can never stand beside 一级); '—' when there is none."""
    if value is None:
        return "—"
    return plain(value if isinstance(value, Decimal) else Decimal(repr(value)))


def _without_level(args) -> dict:
    """The query without the level filter (the dashboard covers every level)."""
    return {k: v for k, v in args.items() if k != "level"}


@bp.get("/")
@reader_required
def dashboard():
    """Aggregate scores for the selected questionnaire, period and cohort."""
    form, filters = _filters()
    filters = replace(filters, stage=None)  # a level filter belongs to the enterprise list
    _record_officer_view(audit.VIEW_DASHBOARD, filters)
    questionnaire = registry().get(filters.questionnaire_id, filters.version)
    data = cached_dashboard(filters)
    target = bureau_stats.target_levels(questionnaire)
    charts = dashboard_charts(data, questionnaire, current_lang())
    charts["target_trend"] = _target_trend(data, target)
    return render_template(
        "bureau/dashboard.html",
        form=form,
        filters=filters,
        questionnaire=questionnaire,
        data=data,
        charts=charts,
        cloud=_cloud_tiers(filters),
        target=target,
        target_ids=[lv.id for lv in target],
        link_args=_without_level(request.args),
    )


@bp.get("/enterprises")
@reader_required
def enterprises():
    """Assessed enterprises with their latest scores: search, sort by any column, paginate."""
    form, filters = _filters()
    _record_officer_view(audit.VIEW_ENTERPRISE_LIST, filters)
    questionnaire = registry().get(filters.questionnaire_id, filters.version)
    search = (form.search.data or "").strip()[:100] or None
    sort = request.args.get("sort", "total")
    if sort not in enterprise_list.sort_keys(questionnaire):
        flash(_("That column cannot be sorted; sorted by total score instead."), "warning")
        sort = "total"
    descending = request.args.get("dir", "desc") != "asc"
    total = enterprise_list.count(db.session, filters, search)
    page = pager(request.args, total)
    rows = enterprise_list.page(
        db.session, filters, search, sort, descending, page.per_page, page.offset, questionnaire
    )
    return render_template(
        "bureau/enterprises.html",
        form=form,
        questionnaire=questionnaire,
        dimensions=enterprise_list.scored_dimensions(questionnaire),
        points=questionnaire.scoring == "points",
        exact=_exact,
        rows=rows,
        pager=page,
        sort=sort,
        descending=descending,
        link_args=_without_level(request.args),
    )


@bp.get("/enterprises/<public_id>")
@reader_required
def enterprise(public_id: str):
    """One enterprise: profile, every assessment with its scores, progress over time."""
    ent = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id))
    if ent is None or (ent.is_demo and not current_app.config["DEMO_MODE"]):
        abort(404)
    if not enterprise_visible(ent, current_scope()):
        abort(404)  # a town officer: another town's enterprise
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.enterprise_id == ent.id, Assessment.status == Status.SUBMITTED)
        .order_by(Assessment.submitted_at)
    ).all()
    audit.record(db.session, current_user, audit.VIEW_ENTERPRISE, "enterprise", ent.public_id,
                 {"name": ent.name}, request.remote_addr)  # fmt: skip
    scores = {a.id: {d.dimension_id: d.score for d in a.dimension_scores} for a in assessments}
    by_questionnaire = {}
    for a in assessments:
        by_questionnaire.setdefault(a.questionnaire_id, []).append(a)
    charts = {
        qid: history_chart(items, registry().get(qid), current_lang())
        for qid, items in by_questionnaire.items()
        if len(items) > 1 and registry().get(qid)
    }
    points = {}  # points questionnaires (MIIT): sub-scores in points, as the list shows them
    for qid, items in by_questionnaire.items():
        questionnaire = registry().get(qid)
        if questionnaire is not None and questionnaire.scoring == "points":
            ids = [a.id for a in items]
            points |= enterprise_list.dimension_points(db.session, questionnaire, ids)
    return render_template(
        "bureau/enterprise.html", enterprise=ent, by_questionnaire=by_questionnaire,
        scores=scores, points=points, charts=charts, exact=_exact,
    )  # fmt: skip


def _export_name(filters, extension: str) -> str:
    approved = "-approved" if filters.approved_only else ""  # the name says which it holds
    return f"cixi-{filters.questionnaire_id}{approved}-{date.today().isoformat()}.{extension}"


def _shows(filters: Filters) -> str:
    """Which submissions (and, for a town officer, which towns) an export counts."""
    return exports.shown(filters, current_lang(), _)


@bp.get("/export.<fmt>")
@reader_required
def export(fmt: str):
    """CSV or XLSX of the enterprises in the current filter, with their latest scores."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form, filters = _filters()
    questionnaire = registry().get(filters.questionnaire_id, filters.version)
    search = (form.search.data or "").strip()[:100] or None
    if enterprise_list.count(db.session, filters, search) == 0:
        flash(_("No enterprise matches this filter, so there is nothing to export."), "warning")
        return redirect(url_for("bureau.dashboard", **request.args))
    lang, texts = current_lang(), exports.export_texts(_)
    action = audit.EXPORT_CSV if fmt == "csv" else audit.EXPORT_XLSX
    audit.record(db.session, current_user, action, "filter", None, filters.describe(),
                 request.remote_addr)  # fmt: skip
    disposition = f'attachment; filename="{_export_name(filters, fmt)}"'
    # The CSV says it only when it is not every submission of the city (its plain form is kept).
    shows = _shows(filters) if filters.approved_only or filters.towns is not None else None
    rows = enterprise_list.iter_all(db.session, filters, search,
                                    answers=exports.rescored(questionnaire))  # fmt: skip
    if fmt == "csv":
        session = db.session

        def chunks():
            # The body streams after the request's teardown: give the connection back ourselves.
            try:
                yield from exports.csv_chunks(rows, questionnaire, lang, texts, shows)
            finally:
                session.close()

        body = stream_with_context(chunks())
        return Response(body, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})  # fmt: skip
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, rows, questionnaire, lang, texts, cached_dashboard(filters),
                       _shows(filters))  # fmt: skip
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition},
    )


@bp.post("/reports")
@reader_required
def batch_reports():
    """Start building the PDF reports of every enterprise in the filter into one ZIP."""
    _form, filters = _filters()
    if enterprise_list.count(db.session, filters, None) == 0:
        flash(_("No enterprise matches this filter, so there is nothing to export."), "warning")
        return redirect(url_for("bureau.dashboard", **request.args))
    job = batch.start(current_app._get_current_object(), current_user, filters, current_lang())
    audit.record(db.session, current_user, audit.EXPORT_REPORTS_ZIP, "job", job.public_id,
                 filters.describe(), request.remote_addr)  # fmt: skip
    return redirect(url_for("bureau.job", public_id=job.public_id))


# The job pages (progress, download) register on `bp` too; imported last, as they import `bp`.
from assessment.web.bureau import job_routes  # noqa: E402, F401
