"""One survey page posted by a user: which answers are valid, which need attention, and where the
navigation button leads. Pure: `assessment.services.surveys.save_page` stores the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.core.question_types.derive import contradiction
from assessment.core.questionnaire.answers import coerce, relevant_ids
from assessment.core.questionnaire.model import Page, Questionnaire
from assessment.core.text import N_, Problem

REQUIRED = Problem(N_("Please answer this question (or choose 'not applicable' where offered)."))
FIGURES_NEEDED = Problem(N_("Enter the figures above: this answer is computed from them."))
# Buttons that leave the page forward: they require the page's required questions.
FORWARD = ("next", "review")


@dataclass
class CheckedPage:
    """A posted page: the valid answers, a problem per question that needs attention, and the
    draft's answers with the valid ones merged in (what would be stored)."""

    answers: dict[str, Any]
    problems: dict[str, Problem]
    merged: dict[str, Any] = field(default_factory=dict)
    warnings: dict[str, Problem] = field(default_factory=dict)  # saved, but worth a second look


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
        if question.extra.get("derive"):
            continue  # computed below from the figures, whatever was posted
        value, problem = coerce(question, raw.get(question.id))
        if problem is not None:
            problems[question.id] = problem
        elif value is not None:
            answers[question.id] = value
    _derive(page, stored, answers, problems)
    # Relevance is judged on the answers as they would stand after this save.
    replaced = {q.id for q in page.questions if q.id not in problems}
    shown = relevant_ids(questionnaire, {k: v for k, v in stored.items() if k not in replaced}
                         | answers)  # fmt: skip
    for question in page.questions:
        if question.id not in shown:
            problems.pop(question.id, None)
            answers.pop(question.id, None)
        elif nav in FORWARD and question.required and question.id not in answers:
            needed = FIGURES_NEEDED if question.extra.get("derive") else REQUIRED
            problems.setdefault(question.id, needed)
    valid = {q.id for q in page.questions if q.id not in problems}
    merged = {k: v for k, v in stored.items() if k not in valid} | answers
    return CheckedPage(answers, problems, merged, page_warnings(page, merged))


def _derive(page: Page, stored: Mapping[str, Any], answers: dict[str, Any],
            problems: dict[str, Problem]) -> None:  # fmt: skip
    """Compute the page's derived choices from the figures as they now stand; a figure that makes
    the computation impossible (more digitised machines than machines) gets the problem."""
    current = {k: v for k, v in stored.items() if k not in problems} | answers
    for question in page.questions:
        derivation = question.extra.get("derive")
        if derivation is None:
            continue
        outcome = derivation.compute(question, current)
        for qid, problem in outcome.problems.items():
            problems.setdefault(qid, problem)
            answers.pop(qid, None)
        if outcome.value is not None:
            answers[question.id] = current[question.id] = outcome.value


def page_warnings(page: Page, answers: Mapping[str, Any]) -> dict[str, Problem]:
    """Chosen answers that contradict the figures given (saved, flagged for a second look)."""
    found = {q.id: contradiction(q, answers) for q in page.questions if q.extra.get("check")}
    return {qid: warning for qid, warning in found.items() if warning is not None}


def explanations(page: Page, answers: Mapping[str, Any]) -> dict[str, Problem]:
    """How each derived or checked choice of the page follows from the figures given."""
    out = {}
    for question in page.questions:
        derivation = question.extra.get("derive") or question.extra.get("check")
        if derivation is not None:
            outcome = derivation.compute(question, answers)
            if outcome.explanation is not None:
                out[question.id] = outcome.explanation
    return out


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
