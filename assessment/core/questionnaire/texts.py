"""Questionnaire texts in one language, as a survey page shows them.

A survey page shows ~120 bilingual texts (question, help, evidence, unit, choice labels and help)
and a few formatted numbers. Picking the language of each with the `|tr` filter (a context-local
lookup per text) and formatting the numbers with Jinja filters cost real time on every request; a
loaded questionnaire never changes, so `Questionnaire.texts(lang)` builds them once per version
and language (the registry builds them at load time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model imports this module to build its texts
    from assessment.core.questionnaire.model import Question, Questionnaire


@dataclass(frozen=True, slots=True)
class ChoiceText:
    """One choice as the template shows it."""

    value: str
    label: str
    help: str
    has_help: bool  # the choice has help text (decided on the Chinese text, as elsewhere)
    exclusive: bool


@dataclass(frozen=True, slots=True)
class QuestionText:
    """The texts of one question in one language."""

    text: str
    help: str
    evidence: str
    unit: str
    choices: tuple[ChoiceText, ...]
    points: str  # the best points, as shown ('%g'); scored questions only
    min: float | int | None  # a number question's bounds, whole numbers without '.0'
    max: float | int | None


def question_texts(questionnaire: Questionnaire, lang: str) -> dict[str, QuestionText]:
    """Every question's texts in `lang` ('zh' or 'en'), by question id."""
    return {q.id: _translate(q, lang) for q in questionnaire.questions}


def _translate(question: Question, lang: str) -> QuestionText:
    return QuestionText(
        text=question.text.get(lang),
        help=question.help.get(lang),
        evidence=question.evidence.get(lang),
        unit=question.unit.get(lang),
        choices=tuple(
            ChoiceText(c.value, c.label.get(lang), c.help.get(lang), bool(c.help.zh), c.exclusive)
            for c in question.choices
        ),
        points=f"{question.max_points:g}" if question.scored else "",
        min=_plain(question.min),
        max=_plain(question.max),
    )


def _plain(number: float | None) -> float | int | None:
    """A bound as the page shows it: 5.0 as 5, 2.5 as is."""
    if number is None:
        return None
    return int(number) if number == int(number) else number
