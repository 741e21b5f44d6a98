"""Services built per request from the app's configuration, and the PDF of an assessment."""

from __future__ import annotations

from flask import current_app

from assessment.core.questionnaire.model import Questionnaire
from assessment.services import results
from assessment.services.benchmarks import Benchmarks
from assessment.services.models import Assessment
from assessment.web.extensions import db
from reports import DEFAULT_TIMEZONE, build_report, translator


def benchmarks() -> Benchmarks:
    """Cohort statistics as configured (comparable versions pooled), cached in the app's
    cache."""
    return Benchmarks.from_config(db.session, current_app.extensions["cache"], current_app.config,
                                  current_app.extensions["questionnaires"])  # fmt: skip


def report_timezone() -> str:
    """The time zone dates are printed in (the bureau's)."""
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE


def report_pdf(assessment: Assessment, questionnaire: Questionnaire, lang: str) -> bytes:
    """The PDF diagnosis report of a submitted assessment: the same `ResultView` as the result
    page, built into a PDF in `lang`."""
    na = translator(lang).gettext("Not applicable")
    view = results.build(db.session, assessment, questionnaire, benchmarks(), lang, na)
    return build_report(
        view, lang, font_path=current_app.config.get("REPORT_FONT"), timezone=report_timezone()
    )
