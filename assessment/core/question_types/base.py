"""What every question type must be able to do (one subclass per type; see `__init__`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from assessment.core.parsing import Problems
from assessment.core.questionnaire.model import NA, Question
from assessment.core.text import Problem

# How points are added up: `float` for the weighted-percent scoring of the 2025 questionnaires
# (their published results were computed in floats), `Decimal` for exact point sums.
Num = Callable[[Any], Any]


class QuestionType:
    """A question type: reads its YAML, scores, checks and describes answers, serialises itself.

    Stored answers are JSON values. `NA` ("not applicable") and emptiness are handled once by the
    callers (`assessment.core.questionnaire.answers`), so the methods below see real answers.
    """

    name: ClassVar[str]
    scored: ClassVar[bool] = True  # carries points
    rated: ClassVar[bool] = False  # a business scenario rated 0–4, counted by level rules
    required_by_default: ClassVar[bool] = True

    # --- the questionnaire file ----------------------------------------------------------------
    def parse(
        self, raw: dict, where: str, problems: Problems, earlier: Mapping[str, Question]
    ) -> dict[str, Any]:
        """The type's own `Question` fields read from the YAML mapping `raw` (`earlier`: the
        questions before it in the file, for types that refer to them)."""
        return {}

    def check(self, question: Question, where: str, problems: Problems) -> None:
        """Problems with the built question as a whole (e.g. a scored one that cannot score)."""
        if self.scored and question.choices + question.bands and question.max_points <= 0:
            problems.add(where, "a scored question must be able to earn points")

    def check_target(self, question: Question, target: Any) -> str | None:
        """Why a recommendation's `target` answer is not valid for this question, or None."""
        return "is not a scored question" if not self.scored else None

    def parse_target(self, question: Question, target: Any) -> Any:
        """A valid recommendation target as a stored answer."""
        return target

    # --- scoring -------------------------------------------------------------------------------
    def max_points(self, question: Question, num: Num) -> Any:
        """The best attainable points."""
        return num(0)

    def points(self, question: Question, answer: Any, num: Num) -> Any:
        """Points for a real answer (never None or NA)."""
        return num(0)

    def improve(self, question: Question, current: Any, target: Any) -> Any:
        """The answer after a recommendation moves `current` to `target`."""
        return target

    # --- answers -------------------------------------------------------------------------------
    def coerce(self, question: Question, raw: Any) -> tuple[Any, Problem | None]:
        """A raw value (JSON or form data, never empty or NA) as a stored answer, or a problem."""
        raise NotImplementedError

    def describe(self, question: Question, value: Any, lang: str) -> str:
        """An answer as the user reads it, in `lang`."""
        return str(value)

    def example_answer(self, question: Question, pick: str) -> Any:
        """A valid answer: the "best", the "worst" or a "middle" one (tests, demos, docs)."""
        raise NotImplementedError

    def demo_answer(self, question: Question, maturity: float, rng: random.Random) -> Any:
        """A plausible answer for a firm of this maturity (0–1), for demo data."""
        return None

    # --- integrators ---------------------------------------------------------------------------
    def serialize(self, question: Question) -> dict[str, Any]:
        """The type's own fields for `questionnaire show --format json`."""
        return {}


def clip(x: float) -> float:
    """`x` limited to 0–1."""
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def is_na(value: Any) -> bool:
    """True for the "not applicable" answer."""
    return value == NA


def exact(value: Decimal) -> float | int:
    """A point value for JSON: an int when whole, else the float with the same decimal repr."""
    return int(value) if value == value.to_integral_value() else float(value)
