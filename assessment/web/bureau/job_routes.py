"""The bureau's background-job pages: a job's progress and its finished file (any kind of job:
batch reports, reminders, imports), for the user who started it or an administrator."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_login import current_user
from sqlalchemy.orm import Session

from assessment.core.enums import JobStatus, Role
from assessment.services import jobs as jobs_service
from assessment.services.models import Job
from assessment.web.access import reader_required
from assessment.web.bureau.job_view import job_view
from assessment.web.bureau.routes import bp
from assessment.web.extensions import db


def _own_job(public_id: str) -> Job:
    job = jobs_service.by_public_id(db.session, public_id)
    if job is None or (job.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    return job


@bp.get("/jobs/<public_id>")
@reader_required
def job(public_id: str):
    """Progress of a background job (reports, reminders, an import); refreshes itself until it
    has ended."""
    found = _own_job(public_id)
    return render_template("bureau/job.html", job=found, job_view=job_view(found))


def _chunks(engine, job_id: int):
    # Its own session, closed when the stream ends or the client goes away: the request's session
    # is gone by then, and one left open would stay idle in a transaction, holding locks.
    with Session(engine) as session:
        yield from jobs_service.file_chunks(session, job_id)


@bp.get("/jobs/<public_id>/download")
@reader_required
def job_download(public_id: str):
    """The finished job's file (the ZIP of reports), streamed from the database."""
    found = _own_job(public_id)
    if found.status != JobStatus.DONE or not jobs_service.has_file(db.session, found.id):
        abort(404)
    return job_file(found)


def job_file(found: Job) -> Response:
    """A finished job's file as an attachment, streamed from the database (the page and the
    API's download)."""
    name = found.file_name or f"{found.public_id}.zip"
    return Response(_chunks(db.engine, found.id), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Length": str(found.file_size or 0),
    })  # fmt: skip
