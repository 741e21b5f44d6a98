"""Committing a previewed target list as a background job (`web/jobs.py`): the upload travels
with the job (stored in the database, so any node's worker reads it), the worker checks it again
against the targets as they are then and writes it in one transaction whose outcome is recorded
on the job in that same transaction — a worker killed after it committed leaves nothing to redo,
and the status page still says what was imported."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from assessment.core.text import N_
from assessment.services import campaigns, target_import
from assessment.services import jobs as jobs_service
from assessment.services.models import Campaign, Job, User
from assessment.web import jobs
from assessment.web.campaigns.common import import_max_bytes
from assessment.web.extensions import db

KIND = "target_import"
HAS_PROBLEMS = N_("The file has problems, so nothing was imported. Correct them in the file and "
                  "upload it again.")  # fmt: skip
DATABASE_REFUSED = N_("The database refused the import, so nothing was saved.")


def start(app: Flask, campaign: Campaign, pending, by: User,
          rows: int) -> Job:  # fmt: skip
    """Queue the import of `pending` (the upload: its `filename` and `data`, kept with the job)
    into `campaign`."""
    job = jobs_service.create(db.session, KIND, {"campaign": campaign.public_id}, user_id=by.id,
                              total=rows, max_attempts=app.config["JOB_MAX_ATTEMPTS"])  # fmt: skip
    jobs_service.attach_input(db.session, job, pending.filename, pending.data)
    jobs.enqueue(app, job)
    return job


@jobs.handler(KIND)
def run(attempt: jobs.Attempt) -> jobs.Outcome:
    """Check the file again and import it in one transaction (or find it already imported)."""
    job = attempt.job
    if (job.result or {}).get("committed"):
        return jobs.Outcome(result=job.result)  # committed by an attempt killed just after
    campaign = campaigns.by_public_id(db.session, job.params["campaign"], with_demo=True)
    data = jobs_service.read_input(db.session, job.id)
    try:
        table = target_import.read_table(job.file_name or "targets.xlsx", data, import_max_bytes())
    except target_import.FileProblem:
        raise jobs.JobError(HAS_PROBLEMS, retry=False) from None
    plan = target_import.preview(db.session, campaign, table)
    attempt.progress(0, len(plan.plans))
    if not plan.ok:
        raise jobs.JobError(HAS_PROBLEMS, retry=False)

    def record(done: target_import.Imported) -> None:
        result = {"committed": True, "created": done.created, "updated": done.updated,
                  "unchanged": done.unchanged, "bound": done.bound}  # fmt: skip
        db.session.execute(update(Job).where(Job.id == job.id, Job.claim == attempt.token)
                           .values(result=result, done=len(plan.plans)))  # fmt: skip

    try:
        target_import.commit(db.session, campaign, plan, record)
    except SQLAlchemyError as exc:  # rolled back by commit(); tried again after the backoff
        raise jobs.JobError(DATABASE_REFUSED) from exc
    return jobs.Outcome(result=db.session.get(Job, job.id, populate_existing=True).result)
