"""PDF diagnosis reports (reportlab). Depends on `assessment.core` only: callers pass a
`ResultView` and get bytes.

build_report(view, lang) -> bytes      the report of one submitted assessment
configure_reportlab()                  process-wide reportlab settings, called at start-up
"""

from __future__ import annotations

from reports.builder import DEFAULT_TIMEZONE, build_report, configure_reportlab
from reports.filenames import report_filename
from reports.fonts import FontSet, report_fonts
from reports.i18n import normalise, translator

__all__ = [
    "DEFAULT_TIMEZONE",
    "FontSet",
    "build_report",
    "configure_reportlab",
    "normalise",
    "report_filename",
    "report_fonts",
    "translator",
]
