"""Batch PDF reports run by a background thread of this worker (the work is in
`assessment.services.batch_reports`)."""

from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path

from flask import Flask

from assessment.services import batch_reports
from assessment.services.benchmarks import Benchmarks
from assessment.services.bureau_filters import Filters
from assessment.services.models import ExportJob, User
from assessment.web.context import report_timezone
from assessment.web.extensions import db
from reports import build_report, translator

log = logging.getLogger(__name__)


def export_dir(app: Flask) -> Path:
    """Where finished ZIPs are kept (under the instance folder)."""
    path = Path(app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(app: Flask, user: User, filters: Filters, lang: str) -> ExportJob:
    """Create the job and start building it in a background thread."""
    job = batch_reports.create_job(db.session, user, filters, lang)
    thread = threading.Thread(target=_run, args=(app, job.id), daemon=True, name=f"batch-{job.id}")
    thread.start()
    return job


def _run(app: Flask, job_id: int) -> None:
    with app.app_context():
        session = db.session
        job = session.get(ExportJob, job_id)
        filters = Filters.from_dict(job.filters)
        registry = app.extensions["questionnaires"]
        questionnaires = {v: registry.get(filters.questionnaire_id, v) for v in filters.pool}
        benchmarks = Benchmarks.from_config(session, app.extensions["cache"], app.config, registry)
        render = partial(_render, font_path=app.config.get("REPORT_FONT"),
                         timezone=report_timezone())  # fmt: skip
        try:
            batch_reports.build(session, job_id, questionnaires, benchmarks, render,
                                translator(job.lang).gettext("Not applicable"),
                                export_dir(app) / f"{job.public_id}.zip")  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the failure is shown on the status page
            log.exception("batch report job %s failed", job_id)
            batch_reports.fail(session, job_id, str(exc))


def _render(view, lang: str, *, font_path: str | None, timezone: str) -> bytes:
    return build_report(view, lang, font_path=font_path, timezone=timezone)
