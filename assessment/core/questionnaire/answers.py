"""Answer values: coercion from raw input, relevance, required checks, progress. Pure; no Flask.

What an answer means is decided by its question's type (`assessment.core.question_types`); this
module handles what is common to all of them: emptiness, "not applicable", and relevance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.questionnaire.expressions import Answers, evaluate, evaluator_for
from assessment.core.questionnaire.model import NA, Page, Question, Questionnaire
from assessment.core.text import N_, Problem


def is_empty(value: Any) -> bool:
    """True for "no answer": nothing, an empty string or no choice ticked."""
    return value is None or value == "" or value == []


def coerce(question: Question, raw: Any) -> tuple[Any, Problem | None]:
    """Turn a raw value (JSON or form data) into a stored answer, or a problem saying why not.

    Returns (None, None) for an empty answer.
    """
    if is_empty(raw):
        return None, None
    if raw == NA:
        if question.allow_na:
            return NA, None
        return None, Problem(N_("This question cannot be answered 'not applicable'."))
    return question.kind.coerce(question, raw)


def relevant_ids(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the questions shown for these answers.

    Evaluated in file order; a hidden question's answer is invisible to the conditions after it.
    """
    visible = Answers()
    evaluator = evaluator_for(visible)
    shown = set()
    for question in questionnaire.questions:
        if question.relevant is None or evaluate(question.relevant, visible, evaluator):
            shown.add(question.id)
            if question.id in answers:
                visible[question.id] = answers[question.id]
    return shown


def clean(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with hidden, unknown and empty entries dropped."""
    shown = relevant_ids(questionnaire, answers)
    return {qid: value for qid, value in answers.items() if qid in shown and not is_empty(value)}


def missing_required(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[str]:
    """Ids of shown, required questions without an answer, in file order."""
    shown = relevant_ids(questionnaire, answers)
    return [
        q.id
        for q in questionnaire.questions
        if q.id in shown and q.required and is_empty(answers.get(q.id))
    ]


def describe(question: Question, value: Any, lang: str, na_label: str) -> str:
    """An answer as the user would read it (choice labels, number with unit)."""
    if is_empty(value):
        return ""
    if value == NA:
        return na_label
    return question.kind.describe(question, value, lang)


@dataclass(frozen=True)
class PageProgress:
    page: Page
    missing: int  # shown, required questions without an answer
    count: int  # shown questions


@dataclass(frozen=True)
class SurveyProgress:
    answered: int
    total: int
    pages: tuple[PageProgress, ...]

    @property
    def percent(self) -> int:
        """Shown questions answered, as a whole percentage."""
        return round(100 * self.answered / self.total) if self.total else 0


def progress(
    questionnaire: Questionnaire, answers: Mapping[str, Any], shown: set[str] | None = None
) -> SurveyProgress:
    """How much of the survey is answered, overall and page by page (hidden questions left out)."""
    if shown is None:
        shown = relevant_ids(questionnaire, answers)
    pages, answered, total = [], 0, 0
    for page in questionnaire.pages:
        visible = [q for q in page.questions if q.id in shown]
        empty = [q for q in visible if is_empty(answers.get(q.id))]
        answered += len(visible) - len(empty)
        total += len(visible)
        pages.append(PageProgress(page, sum(1 for q in empty if q.required), len(visible)))
    return SurveyProgress(answered, total, tuple(pages))
