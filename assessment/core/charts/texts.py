"""Every text the charts show, marked for extraction and translated at render time.

One style for every chart: builders receive the dict of `chart_texts(gettext)`, where `gettext` is
the caller's (Flask-Babel's on pages, `reports.i18n.translator(lang).gettext` in the PDF). Texts
with a `%(name)s` parameter come back unformatted; the builder that uses them fills them in.
"""

from __future__ import annotations

from collections.abc import Callable

from assessment.core.text import N_

CHART_TEXTS = {
    # Series and legend names.
    "me": N_("Your enterprise"),
    "city": N_("Cixi average"),
    "industry": N_("Industry average"),
    "band": N_("Peers P25–P75"),
    "median": N_("Peer median"),
    # Titles (read out by screen readers as the chart's accessible name).
    "radar_title": N_("Dimension scores: your enterprise against Cixi and your industry (0–100)"),
    "bands_title": N_("Your dimension scores against the middle half of your peers"),
    "stages_title": N_("Share of enterprises by stage"),
    "histogram_title": N_("Enterprises by total score"),
    "trend_title": N_("Mean total score by quarter"),
    "history_title": N_("Total score over time: %(title)s"),
    # A campaign's progress (progress_figures).
    "progress_title": N_("Campaign progress: how far each group's targets got"),
    "progress_approved": N_("Approved"),
    "progress_submitted": N_("Submitted, awaiting review"),
    "progress_started": N_("Started, not submitted"),
    "progress_registered": N_("Registered, not started"),
    "progress_not_registered": N_("Not registered"),
}


def chart_texts(gettext: Callable[[str], str]) -> dict[str, str]:
    """Every chart text translated with the caller's `gettext`, by key of `CHART_TEXTS`."""
    return {key: gettext(message) for key, message in CHART_TEXTS.items()}
