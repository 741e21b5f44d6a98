"""The registry of question types: one object per type, found by the name used in the YAML files.

Adding a type (see docs/architecture.md, "Adding a question type"): write one `QuestionType`
subclass in this package, add it to `TYPES` below, and give it a form field and a template macro on
the web side (`assessment/web/survey/fields.py`, `templates/survey/_types.html`).
"""

from __future__ import annotations

from assessment.core.question_types.base import QuestionType
from assessment.core.question_types.choice import MultiChoice, SingleChoice
from assessment.core.question_types.figure import Figure
from assessment.core.question_types.free_text import FreeText
from assessment.core.question_types.ladder import Ladder
from assessment.core.question_types.number import Number
from assessment.core.question_types.scenario import Scenario
from assessment.core.questionnaire.model import QUESTION_TYPES

TYPES: tuple[QuestionType, ...] = (
    SingleChoice(),
    MultiChoice(),
    Number(),
    Ladder(),
    FreeText(),
    Figure(),
    Scenario(),
)
QUESTION_TYPES.update({t.name: t for t in TYPES})


def names() -> tuple[str, ...]:
    """Every registered type name."""
    return tuple(QUESTION_TYPES)


def get(name: str) -> QuestionType | None:
    """The type with this name, if registered."""
    return QUESTION_TYPES.get(name)


__all__ = ["QuestionType", "get", "names"]
