"""Batch PDF reports: built into one ZIP by a background thread, with progress in the database,
so the status page works from any worker and a batch of 500 never hits a request timeout."""

from __future__ import annotations

import logging
import threading
import zipfile
from pathlib import Path

from flask import Flask

from ...benchmark import Benchmarks
from ...extensions import db
from ...models import Assessment, ExportJob, User, utcnow
from ...services import enterprise_list, results
from ...services.bureau_filters import Filters

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5


def export_dir(app: Flask) -> Path:
    """Where finished ZIPs are kept (under the instance folder)."""
    path = Path(app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(app: Flask, user: User, filters: Filters, lang: str) -> ExportJob:
    """Create the job and start building it in a background thread."""
    total = enterprise_list.count(db.session, filters, None)
    job = ExportJob(user_id=user.id, filters=filters.to_dict(), lang=lang, total=total)
    db.session.add(job)
    db.session.commit()
    thread = threading.Thread(target=_run, args=(app, job.id), daemon=True, name=f"batch-{job.id}")
    thread.start()
    return job


def _run(app: Flask, job_id: int) -> None:
    with app.app_context():
        session = db.session
        job = session.get(ExportJob, job_id)
        try:
            _build(app, session, job)
        except Exception as exc:  # noqa: BLE001 - the failure is shown on the status page
            log.exception("batch report job %s failed", job_id)
            session.rollback()
            job = session.get(ExportJob, job_id)
            job.status, job.error, job.updated_at = "failed", str(exc)[:500], utcnow()
            session.commit()


def _build(app: Flask, session, job: ExportJob) -> None:
    from reports import build_report
    from reports.i18n import translator

    filters = Filters.from_dict(job.filters)
    registry = app.extensions["questionnaires"]
    questionnaire = registry.get(filters.questionnaire_id, filters.version)
    benchmarks = Benchmarks(
        session, cache=app.extensions["benchmark_cache"],
        window_months=app.config["BENCHMARK_WINDOW_MONTHS"],
        min_cohort=app.config["BENCHMARK_MIN_COHORT"], include_demo=app.config["DEMO_MODE"],
    )  # fmt: skip
    na = translator(job.lang).gettext("Not applicable")
    path = export_dir(app) / f"{job.public_id}.zip"
    job.status, job.updated_at = "running", utcnow()
    session.commit()
    done = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in enterprise_list.iter_all(session, filters):
            assessment = session.get(Assessment, row.assessment_id)
            view = results.build(session, assessment, questionnaire, benchmarks, job.lang, na)
            pdf = build_report(view, job.lang, font_path=app.config.get("REPORT_FONT"))
            archive.writestr(_entry_name(row), pdf)
            done += 1
            if done % PROGRESS_EVERY == 0:
                job = session.get(ExportJob, job.id)
                job.done, job.updated_at = done, utcnow()
                session.commit()
    job = session.get(ExportJob, job.id)
    job.done, job.total, job.status, job.path, job.updated_at = (
        done,
        done,
        "done",
        str(path),
        utcnow(),
    )
    session.commit()


def _entry_name(row) -> str:
    """A ZIP entry name: credit code plus a file-system-safe enterprise name."""
    unsafe = '\\/:*?"<>|'
    name = "".join("_" if c in unsafe or ord(c) < 32 else c for c in row.enterprise.name)[:60]
    return f"{row.enterprise.uscc}-{name}.pdf"
