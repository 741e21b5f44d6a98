"""Batch PDF reports as a background job (`web/jobs.py`): started by the dashboard's button, built
by a worker into a temporary file and stored with the job, so any app node serves the ZIP (the
work itself is in `assessment.services.batch_reports`)."""

from __future__ import annotations

import tempfile
from functools import partial

from flask import Flask

from assessment.services import batch_reports
from assessment.services.benchmarks import Benchmarks
from assessment.services.bureau_filters import Filters
from assessment.services.models import Job, User
from assessment.web import jobs
from assessment.web.context import report_timezone
from assessment.web.extensions import db
from reports import build_report, translator


def start(app: Flask, user: User, filters: Filters, lang: str) -> Job:
    """Queue a job building the reports of every enterprise in `filters`."""
    total = batch_reports.total(db.session, filters)
    return jobs.submit(app, batch_reports.KIND, batch_reports.params(filters, lang),
                       user_id=user.id, total=total)  # fmt: skip


@jobs.handler(batch_reports.KIND)
def run(attempt: jobs.Attempt) -> jobs.Outcome:
    """Build the ZIP (from the start) into a temporary file handed to the job's end."""
    app, job = attempt.app, attempt.job
    filters = Filters.from_dict(job.params["filters"])
    registry = app.extensions["questionnaires"]
    questionnaires = {v: registry.get(filters.questionnaire_id, v) for v in filters.pool}
    benchmarks = Benchmarks.from_config(db.session, app.extensions["cache"], app.config, registry)
    render = partial(_render, font_path=app.config.get("REPORT_FONT"),
                     timezone=report_timezone())  # fmt: skip
    # Spooled: small ZIPs stay in memory, large ones go to this node's temporary directory
    # only until the job's end copies them into the database (which then closes the file).
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    na_label = translator(job.params["lang"]).gettext("Not applicable")
    count = batch_reports.build(db.session, job, questionnaires, benchmarks, render, na_label,
                                out, attempt.progress)  # fmt: skip
    out.seek(0)
    name = f"cixi-reports-{job.created_at:%Y%m%d-%H%M}.zip"
    return jobs.Outcome(result={"reports": count}, file=(name, out))


def _render(view, lang: str, *, font_path: str | None, timezone: str) -> bytes:
    return build_report(view, lang, font_path=font_path, timezone=timezone)
