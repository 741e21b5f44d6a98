"""Answer once: facts asked by several questionnaires share a `key`, and a new draft starts with
the enterprise's most recent valid answer to each key. Pure: `assessment.services.surveys.start`
reads the sources from the database.

A pre-filled answer is a suggestion until its page has been shown and saved: the draft remembers
where each came from (shown on the page: "pre-filled from your 两化融合评估 submitted in 2026-05,
please check"), and submitting asks for those pages first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assessment.core.questionnaire.answers import coerce
from assessment.core.questionnaire.model import NA, Questionnaire
from assessment.core.text import N_, Problem, Text

WINDOW = timedelta(days=365)  # answers older than this are not offered
PROFILE = "profile"  # the source id of the enterprise's own registration data


@dataclass(frozen=True)
class Source:
    """Answers by key from one place: an assessment (draft or submitted) or the profile."""

    questionnaire_id: str  # or PROFILE
    status: str  # draft | submitted | profile
    at: datetime
    values: Mapping[str, Any]  # by key

    def record(self) -> dict[str, str]:
        """What the draft stores about the source (JSON)."""
        return {"questionnaire": self.questionnaire_id, "status": self.status,
                "at": self.at.isoformat(timespec="seconds")}  # fmt: skip


def values_by_key(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of a questionnaire's keyed questions, by key."""
    return {
        q.key: answers[q.id]
        for q in questionnaire.questions
        if q.key and q.id in answers and answers[q.id] != NA
    }


def prefill(
    questionnaire: Questionnaire, sources: list[Source], now: datetime
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """(answers, provenance by question id): for each keyed question (not a computed one), the
    newest source within the window whose value is a valid answer here."""
    fresh = sorted((s for s in sources if now - s.at <= WINDOW), key=lambda s: s.at, reverse=True)
    answers, provenance = {}, {}
    for question in questionnaire.questions:
        if not question.key or question.extra.get("derive"):
            continue
        for source in fresh:
            if question.key not in source.values:
                continue
            value, problem = coerce(question, source.values[question.key])
            if problem is None and value is not None and value != NA:
                answers[question.id] = value
                provenance[question.id] = source.record()
                break
    return answers, provenance


def notice(record: Mapping[str, str], title: Text | None) -> Problem:
    """The note shown beside a pre-filled answer ("please check")."""
    if record.get("status") == PROFILE:
        return Problem(N_("Pre-filled from your enterprise profile. Please check it."))
    month = record.get("at", "")[:7]
    params = {"title": title or record.get("questionnaire", ""), "month": month}
    if record.get("status") == "submitted":
        return Problem(N_("Pre-filled from your %(title)s submitted in %(month)s. Please check it."),
                       params)  # fmt: skip
    return Problem(N_("Pre-filled from your %(title)s draft saved in %(month)s. Please check it."),
                   params)  # fmt: skip
