"""One survey page posted by a user: which answers are valid, which need attention, and where the
navigation button leads. Pure: `assessment.services.surveys.save_page` stores the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.core.questionnaire.answers import coerce, relevant_ids
from assessment.core.questionnaire.model import Page, Questionnaire
from assessment.core.text import N_, Problem

REQUIRED = Problem(N_("Please answer this question (or choose 'not applicable' where offered)."))
# Buttons that leave the page forward: they require the page's required questions.
FORWARD = ("next", "review")


@dataclass
class CheckedPage:
    """A posted page: the valid answers, a problem per question that needs attention, and the
    draft's answers with the valid ones merged in (what would be stored)."""

    answers: dict[str, Any]
    problems: dict[str, Problem]
    merged: dict[str, Any] = field(default_factory=dict)


def check_page(
    questionnaire: Questionnaire,
    stored: Mapping[str, Any],
    page: Page,
    raw: Mapping[str, Any],
    nav: str,
) -> CheckedPage:
    """Coerce every posted answer of `page`, drop questions hidden by the answers as they would
    now stand, and require answers when the user moves forward.

    A question whose input is invalid keeps its stored answer (nothing typed is stored half-way).
    """
    answers: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    for question in page.questions:
        value, problem = coerce(question, raw.get(question.id))
        if problem is not None:
            problems[question.id] = problem
        elif value is not None:
            answers[question.id] = value
    # Relevance is judged on the answers as they would stand after this save.
    replaced = {q.id for q in page.questions if q.id not in problems}
    shown = relevant_ids(questionnaire, {k: v for k, v in stored.items() if k not in replaced}
                         | answers)  # fmt: skip
    for question in page.questions:
        if question.id not in shown:
            problems.pop(question.id, None)
            answers.pop(question.id, None)
        elif nav in FORWARD and question.required and question.id not in answers:
            problems.setdefault(question.id, REQUIRED)
    valid = {q.id for q in page.questions if q.id not in problems}
    merged = {k: v for k, v in stored.items() if k not in valid} | answers
    return CheckedPage(answers, problems, merged)


def destination(questionnaire: Questionnaire, index: int, nav: str) -> int | None:
    """The page a navigation button leads to; None for the review page."""
    last = len(questionnaire.pages) - 1
    if nav == "review" or (nav == "next" and index == last):
        return None
    if nav == "next":
        return index + 1
    if nav == "prev":
        return max(index - 1, 0)
    if nav.startswith("goto-") and nav[5:].isdigit() and len(nav) < 12:
        return min(int(nav[5:]), last)
    return index


def resume_page(questionnaire: Questionnaire, index: int, nav: str, has_problems: bool) -> int:
    """The page a draft reopens at: where the user was heading (the review resumes at the last
    page), or this page while it has problems."""
    if has_problems:
        return index
    target = destination(questionnaire, index, nav)
    return len(questionnaire.pages) - 1 if target is None else target


def differing(stored: Mapping[str, Any], page: Page, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The stored answers of `page` that differ from the posted ones (what another window saved)."""
    return {q.id: stored.get(q.id) for q in page.questions if stored.get(q.id) != answers.get(q.id)}
