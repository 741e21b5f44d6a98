"""Batch PDF reports: every enterprise in a bureau filter, built into one ZIP with progress kept in
the database (so the status page works from any worker). No Flask: the caller supplies the
session, the questionnaires, the cohort statistics and the function that renders one PDF."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from assessment.core.enums import JobStatus
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.result_view import ResultView
from assessment.services import enterprise_list, results
from assessment.services.benchmarks import Benchmarks
from assessment.services.bureau_filters import Filters
from assessment.services.models import Assessment, ExportJob, User, utcnow

PROGRESS_EVERY = 5


def create_job(session: Session, user: User, filters: Filters, lang: str) -> ExportJob:
    """A queued job for the enterprises in `filters` (committed)."""
    total = enterprise_list.count(session, filters, None)
    job = ExportJob(user_id=user.id, filters=filters.to_dict(), lang=lang, total=total)
    session.add(job)
    session.commit()
    return job


def _set_progress(session: Session, job_id: int, **values) -> ExportJob:
    job = session.get(ExportJob, job_id)
    for name, value in values.items():
        setattr(job, name, value)
    job.updated_at = utcnow()
    session.commit()
    return job


def fail(session: Session, job_id: int, reason: str) -> None:
    """Mark a job failed, with the reason shown on its status page."""
    session.rollback()
    _set_progress(session, job_id, status=JobStatus.FAILED, error=reason[:500])


def build(
    session: Session,
    job_id: int,
    questionnaires: Mapping[str, Questionnaire],
    benchmarks: Benchmarks,
    render: Callable[[ResultView, str], bytes],
    na_label: str,
    path: Path,
) -> None:
    """Build the job's ZIP at `path`: one PDF per enterprise (`render(view, lang)`), each with
    its own version's questions (`questionnaires` by version: the filter's pooled versions)."""
    job = _set_progress(session, job_id, status=JobStatus.RUNNING)
    filters, lang, done = Filters.from_dict(job.filters), job.lang, 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in enterprise_list.iter_all(session, filters):
            assessment = session.get(Assessment, row.assessment_id)
            questionnaire = questionnaires[assessment.questionnaire_version]
            view = results.build(session, assessment, questionnaire, benchmarks, lang, na_label)
            archive.writestr(entry_name(row.enterprise.uscc, row.enterprise.name),
                             render(view, lang))  # fmt: skip
            done += 1
            if done % PROGRESS_EVERY == 0:
                _set_progress(session, job_id, done=done)
    _set_progress(session, job_id, done=done, total=done, status=JobStatus.DONE, path=str(path))


def entry_name(uscc: str, name: str) -> str:
    """A ZIP entry name: credit code plus a file-system-safe enterprise name."""
    unsafe = '\\/:*?"<>|'
    safe = "".join("_" if c in unsafe or ord(c) < 32 else c for c in name)[:60]
    return f"{uscc}-{safe}.pdf"
