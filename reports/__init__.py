"""PDF diagnosis reports (reportlab). No Flask: callers pass domain objects and get bytes.

build_report(view, lang) -> bytes           the report of a ResultView
report_for(session, assessment, questionnaire, benchmarks, lang) -> bytes
                                           builds the ResultView first (web route, CLI, bench)
"""

from __future__ import annotations

from datetime import datetime

from .builder import DEFAULT_TIMEZONE, build_report
from .filenames import report_filename
from .fonts import FontSet, report_fonts
from .i18n import normalise, translator

__all__ = [
    "FontSet",
    "build_report",
    "report_filename",
    "report_fonts",
    "report_for",
]


def report_for(
    session,
    assessment,
    questionnaire,
    benchmarks,
    lang: str,
    *,
    generated_at: datetime | None = None,
    font_path: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> bytes:
    """The report of a submitted assessment: assemble its ResultView (scores, peers, steps,
    progress) exactly as the result page does, then build the PDF."""
    from assessment.services import results

    lang = normalise(lang)
    na = translator(lang).gettext("Not applicable")
    view = results.build(session, assessment, questionnaire, benchmarks, lang, na)
    return build_report(
        view, lang, generated_at=generated_at, font_path=font_path, timezone=timezone
    )
