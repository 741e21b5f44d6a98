"""GET /a/<public_id>/report.pdf: the diagnosis report of a submitted assessment.

Enterprise users get their own assessments only (404 otherwise, as everywhere); bureau analysts and
admins may download any, and each of their downloads goes to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user, login_required

from assessment.core.enums import Role, Status
from assessment.services import audit
from assessment.services.models import Assessment
from assessment.web.access import questionnaire_of, viewable_assessment
from assessment.web.context import report_pdf, report_timezone
from assessment.web.extensions import db, limiter
from assessment.web.i18n import current_lang
from reports.filenames import content_disposition, local_date

bp = Blueprint("reports", __name__)
LANGS = ("zh", "en")


def _report_limit() -> str:
    # Building a PDF costs ~0.1 s of CPU: cap repeated downloads per client address.
    return current_app.config.get("RATELIMIT_REPORT", "30 per minute")


def record_report_download(assessment: Assessment, lang: str) -> None:
    """Audit hook: a bureau analyst's, admin's or town officer's download of one enterprise's
    report."""
    if current_user.role not in (Role.BUREAU, Role.ADMIN, Role.TOWN_OFFICER):
        return
    audit.record(
        db.session,
        current_user,
        audit.DOWNLOAD_REPORT,
        "assessment",
        assessment.public_id,
        {"enterprise": assessment.enterprise.name, "lang": lang},
        request.remote_addr,
    )


@bp.get("/a/<public_id>/report.pdf")
@login_required
@limiter.limit(_report_limit)
def download(public_id: str):
    """The PDF in the user's language (`?lang=zh|en` overrides), as an attachment."""
    assessment = viewable_assessment(public_id)
    if assessment.status != Status.SUBMITTED:
        abort(404)
    questionnaire = questionnaire_of(assessment)
    lang = request.args.get("lang")
    lang = lang if lang in LANGS else current_lang()
    pdf = report_pdf(assessment, questionnaire, lang)
    record_report_download(assessment, lang)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                assessment.enterprise.name,
                local_date(assessment.submitted_at, report_timezone()),
                questionnaire.title.get(lang),
                questionnaire.id,
            ),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
