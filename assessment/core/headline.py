"""The headline under a result's total score: how the enterprise ranks among its peers.

Decided here once for the result page and the PDF report, which only translate the messages
(with their own gettext) and style them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from assessment.core import enterprise as ent
from assessment.core.cohorts import TOTAL
from assessment.core.result_view import ResultView
from assessment.core.text import N_

AHEAD_IN_CITY = N_("You are ahead of %(pct)s of assessed enterprises in Cixi.")
AHEAD_IN_INDUSTRY = N_("You are ahead of %(pct)s of %(industry)s enterprises in Cixi.")
INDUSTRY_TOO_SMALL = N_(
    "Fewer than %(k)s peers have submitted in your industry, so it is not compared separately."
)
NO_PEERS = N_("Not enough enterprises have submitted yet to compare you with peers.")


class Sentence(NamedTuple):
    """One headline sentence: a stable key (the page's element id is `ahead-<key>`), the
    untranslated message and its parameters."""

    key: str
    message: str
    params: dict[str, Any]


def percent(value: float) -> str:
    """A percentile rank as '67%', as every percentile is shown."""
    return f"{value:.0f}%"


def ahead_sentences(view: ResultView, lang: str) -> list[Sentence]:
    """The headline, in reading order: the rank in the city (when its cohort is shown), then in
    the industry (when it is large enough to be compared on its own, else a note saying so), or a
    note that there are no peers yet. `lang` names the industry."""
    city, industry = view.comparisons["city"], view.comparisons["industry"]
    out = []
    if city.shown and city.percentile.get(TOTAL) is not None:
        out.append(Sentence("city", AHEAD_IN_CITY, {"pct": percent(city.percentile[TOTAL])}))
    if industry.shown and industry.shown.kind != "city":
        if industry.percentile.get(TOTAL) is not None:
            params = {
                "pct": percent(industry.percentile[TOTAL]),
                "industry": ent.industry_label(industry.shown.industry, lang),
            }
            out.append(Sentence("industry", AHEAD_IN_INDUSTRY, params))
    elif city.shown:
        out.append(Sentence("industry-fallback", INDUSTRY_TOO_SMALL, {"k": view.min_cohort}))
    if not city.shown:
        out.append(Sentence("no-peers", NO_PEERS, {}))
    return out
