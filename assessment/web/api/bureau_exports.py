"""/api/v1/bureau exports for `bureau:export` tokens: the CSV and XLSX the bureau's pages offer, and
batch PDF reports (a job to start, poll and download), within the token owner's scope (a town
officer's towns only, through the same filters as the pages)."""

from __future__ import annotations

import io

from flask import Response, current_app, g
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from assessment.core.enums import JobStatus, Role
from assessment.services import audit, batch_reports, bureau_stats, enterprise_list, exports, jobs
from assessment.services.api_tokens import BUREAU_EXPORT
from assessment.services.models import Job
from assessment.web.api import schemas as s
from assessment.web.api.bureau import as_utc, filters_of
from assessment.web.api.core import blueprint, scope_required
from assessment.web.api.problems import PREFIX, problem
from assessment.web.bureau import batch
from assessment.web.bureau.job_routes import job_file
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

blp = blueprint("api_exports", "The bureau's exports and batch reports, within the caller's scope.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(query: dict, fmt: str):
    """The filters, the questionnaire, the rows and the texts of an export (audited)."""
    filters, _ignored = filters_of(query)
    questionnaire = current_app.extensions["questionnaires"].get(filters.questionnaire_id,
                                                                 filters.version)  # fmt: skip
    action = audit.EXPORT_CSV if fmt == "csv" else audit.EXPORT_XLSX
    audit.record(db.session, g.api_user, action, "filter", None, filters.describe() | {"api": True})
    rows = enterprise_list.iter_all(db.session, filters, None,
                                    answers=exports.rescored(questionnaire))  # fmt: skip
    return filters, questionnaire, rows, exports.export_texts(_)


def _attachment(filters, extension: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="cixi-{filters.questionnaire_id}.'
                                   f'{extension}"'}  # fmt: skip


@blp.get("/bureau/export.csv")
@scope_required(BUREAU_EXPORT)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, content_type="text/csv", description="The CSV export (UTF-8 with BOM).")
def csv(query: dict):
    """The CSV export of the enterprises in the filter, with their latest scores (a last line
    says which submissions and towns it counts when not every submission of the city)."""
    filters, questionnaire, rows, texts = _export(query, "csv")
    lang = current_lang()
    shows = (exports.shown(filters, lang, _)
             if filters.approved_only or filters.towns is not None else None)  # fmt: skip
    body = b"".join(exports.csv_chunks(rows, questionnaire, lang, texts, shows))
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers=_attachment(filters, "csv"))  # fmt: skip


@blp.get("/bureau/export.xlsx")
@scope_required(BUREAU_EXPORT)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, content_type=XLSX, description="The XLSX export: enterprises and cohorts.")
def xlsx(query: dict):
    """The XLSX export: a sheet of the enterprises in the filter with their latest scores and a
    sheet of cohort tables (by industry, town, size)."""
    filters, questionnaire, rows, texts = _export(query, "xlsx")
    lang = current_lang()
    dashboard = bureau_stats.cached_dashboard(db.session, current_app.extensions["cache"], filters)
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, rows, questionnaire, lang, texts, dashboard,
                       exports.shown(filters, lang, _))  # fmt: skip
    return Response(buffer.getvalue(), mimetype=XLSX, headers=_attachment(filters, "xlsx"))


class ReportsBody(s.BureauQuery):
    """The filters of the enterprises whose reports to build (as the dashboard's), and the
    reports' language (default: the request's)."""

    lang = fields.String(validate=validate.OneOf(["zh", "en"]))


class JobSchema(Schema):
    """A batch of PDF reports being built: poll it until `status` is done, then download."""

    id = fields.String(required=True)
    status = fields.String(required=True,
                           validate=validate.OneOf(["queued", "running", "done", "failed"]))  # fmt: skip
    done = fields.Integer(required=True, metadata={"description": "Reports built so far."})
    total = fields.Integer(required=True)
    error = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)
    download = fields.String(allow_none=True, required=True,
                             metadata={"description": "The ZIP, once done."})  # fmt: skip


def _job_view(job: Job) -> dict:
    done = job.status == JobStatus.DONE
    path = f"{PREFIX}/bureau/jobs/{job.public_id}"
    return {"id": job.public_id, "status": job.status, "done": job.done, "total": job.total,
            "error": _(job.error) if job.error else None, "created_at": as_utc(job.created_at),
            "finished_at": as_utc(job.finished_at), "download": f"{path}/reports.zip" if done else None}  # fmt: skip


JOB = PREFIX + "/bureau/jobs/{public_id}"
_JOB_LINKS = {"responses": {202: {"links": {
    "Job": {"operationRef": "#/paths/" + JOB.replace("/", "~1") + "/get",
            "parameters": {"public_id": "$response.body#/id"}, "description": "Poll the job."},
    "Download": {"operationRef": "#/paths/" + (JOB + "/reports.zip").replace("/", "~1") + "/get",
                 "parameters": {"public_id": "$response.body#/id"}, "description": "The ZIP."},
}}}}  # fmt: skip


@blp.post("/bureau/reports")
@scope_required(BUREAU_EXPORT)
@blp.arguments(ReportsBody)
@blp.response(202, JobSchema)
@blp.doc(**_JOB_LINKS)
def reports(body: dict):
    """Start building the PDF report of every enterprise in the filter into one ZIP (a
    background job, as the dashboard's button does); poll `/bureau/jobs/{id}`."""
    filters, _ignored = filters_of({k: v for k, v in body.items() if k != "lang"})
    if enterprise_list.count(db.session, filters, None) == 0:
        return problem(422, _("No enterprise matches this filter, so there is nothing to export."))
    job = batch.start(current_app._get_current_object(), g.api_user, filters,
                      body.get("lang") or current_lang())  # fmt: skip
    audit.record(db.session, g.api_user, audit.EXPORT_REPORTS_ZIP, "job", job.public_id,
                 filters.describe() | {"api": True})  # fmt: skip
    return _job_view(job), 202, {"Location": f"{PREFIX}/bureau/jobs/{job.public_id}"}


def _own_job(public_id: str) -> Job:
    """One of the caller's batch-report jobs (an admin: anyone's), else 404."""
    job = jobs.by_public_id(db.session, public_id[:32])
    if job is None or job.kind != batch_reports.KIND:
        abort(404)
    if job.user_id != g.api_user.id and g.api_user.role != Role.ADMIN:
        abort(404)
    return job


@blp.get("/bureau/jobs/<public_id>")
@scope_required(BUREAU_EXPORT)
@blp.response(200, JobSchema)
def job(public_id: str):
    """A batch of reports: queued, running (done of total), done (with its download) or failed."""
    return _job_view(_own_job(public_id))


@blp.get("/bureau/jobs/<public_id>/reports.zip")
@scope_required(BUREAU_EXPORT)
@blp.response(200, content_type="application/zip", description="The ZIP of PDF reports.")
def job_download(public_id: str):
    """The finished ZIP (409 while the job is still queued or running)."""
    found = _own_job(public_id)
    if found.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return problem(409, _("The reports are not ready yet: poll the job until it is done."))
    if found.status != JobStatus.DONE or not jobs.has_file(db.session, found.id):
        abort(404)
    return job_file(found)
