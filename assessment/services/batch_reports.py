"""Batch PDF reports: every enterprise in a bureau filter, built into one ZIP by a background job
(`services/jobs.py`: progress in the database, so the status page works from any node; the ZIP
stored with the job). No Flask: the caller supplies the session, the questionnaires, the cohort
statistics and the function that renders one PDF."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from typing import IO

from sqlalchemy.orm import Session

from assessment.core.questionnaire.model import Questionnaire
from assessment.core.result_view import ResultView
from assessment.services import enterprise_list, results
from assessment.services.benchmarks import Benchmarks
from assessment.services.bureau_filters import Filters
from assessment.services.models import Assessment, Job

KIND = "batch_reports"
PROGRESS_EVERY = 5


def params(filters: Filters, lang: str) -> dict:
    """A batch job's parameters: the bureau filter and the reports' language."""
    return {"filters": filters.to_dict(), "lang": lang}


def total(session: Session, filters: Filters) -> int:
    """How many reports a job for `filters` will build."""
    return enterprise_list.count(session, filters, None)


def build(
    session: Session,
    job: Job,
    questionnaires: Mapping[str, Questionnaire],
    benchmarks: Benchmarks,
    render: Callable[[ResultView, str], bytes],
    na_label: str,
    out: IO[bytes],
    progress: Callable[[int, int], None],
) -> int:
    """Write the job's ZIP to `out`: one PDF per enterprise (`render(view, lang)`), each with
    its own version's questions (`questionnaires` by version: the filter's pooled versions).
    Starts from the beginning (an attempt after a killed worker builds the whole ZIP again);
    `progress(done, total)` every few reports. Returns the number of reports."""
    filters, lang = Filters.from_dict(job.params["filters"]), job.params["lang"]
    expected, done = total(session, filters), 0
    progress(0, expected)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in enterprise_list.iter_all(session, filters):
            assessment = session.get(Assessment, row.assessment_id)
            questionnaire = questionnaires[assessment.questionnaire_version]
            view = results.build(session, assessment, questionnaire, benchmarks, lang, na_label)
            archive.writestr(entry_name(row.enterprise.uscc, row.enterprise.name),
                             render(view, lang))  # fmt: skip
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done, max(expected, done))
    progress(done, done)
    return done


def entry_name(uscc: str, name: str) -> str:
    """A ZIP entry name: credit code plus a file-system-safe enterprise name."""
    unsafe = '\\/:*?"<>|'
    safe = "".join("_" if c in unsafe or ord(c) < 32 else c for c in name)[:60]
    return f"{uscc}-{safe}.pdf"
