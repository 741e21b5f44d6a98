"""GET /account/my-data.zip: everything the product holds about the signed-in user's enterprise,
as one ZIP (the JSON, a bilingual README and the PDF of every submitted assessment). Audited."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user

from assessment.services import audit
from assessment.services.models import Assessment, utcnow
from assessment.services.my_data import build_zip
from assessment.web.access import enterprise_required, registry
from assessment.web.context import report_pdf, report_timezone
from assessment.web.extensions import db, limiter
from assessment.web.i18n import current_lang, language
from reports.filenames import local_date

bp = Blueprint("my_data", __name__, url_prefix="/account")
README_LANGS = ("zh", "en")


def _my_data_limit() -> str:
    # One PDF per submitted assessment (~0.1 s of CPU each): a few downloads per client address.
    return current_app.config.get("RATELIMIT_MY_DATA", "5 per minute;30 per hour")


def _readme(enterprise) -> str:
    """The README in Chinese, then in English."""
    parts = []
    for lang in README_LANGS:
        with language(lang):
            parts.append(
                render_template(
                    "my_data/readme.txt",
                    enterprise=enterprise,
                    email=current_user.email,
                    now=utcnow(),
                    privacy_url=url_for("main.privacy", _external=True),
                )
            )
    return ("\n" + "=" * 72 + "\n\n").join(parts)


@bp.get("/my-data.zip")
@enterprise_required
@limiter.limit(_my_data_limit)
def download():
    """The ZIP, built in memory (one enterprise's data is small)."""
    enterprise, lang = current_user.enterprise, current_lang()

    def render(assessment: Assessment) -> bytes | None:
        questionnaire = registry().get(
            assessment.questionnaire_id, assessment.questionnaire_version
        )
        return None if questionnaire is None else report_pdf(assessment, questionnaire, lang)

    user = current_user._get_current_object()
    data = build_zip(db.session, enterprise, user, render, _readme(enterprise), report_timezone())
    audit.record(db.session, user, audit.EXPORT_OWN_DATA, "enterprise", enterprise.public_id,
                 {"bytes": len(data), "lang": lang}, request.remote_addr)  # fmt: skip
    stamp = local_date(utcnow(), report_timezone()).isoformat()
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="my-data_{enterprise.uscc}_{stamp}.zip"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
