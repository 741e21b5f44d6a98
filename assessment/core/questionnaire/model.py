"""The in-memory questionnaire definition: plain frozen dataclasses, built by the loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assessment.core.questionnaire.texts import QuestionText, question_texts
from assessment.core.text import EMPTY_TEXT, Text

if TYPE_CHECKING:  # these modules import this one; at run time the types register below
    from assessment.core.levels import Condition
    from assessment.core.question_types.base import QuestionType

NA = "na"  # the answer "not applicable"
# Question types by name, filled by `assessment.core.question_types` when it is imported (the
# loader imports it, so every loaded Question finds its type here).
QUESTION_TYPES: dict[str, QuestionType] = {}
EFFORTS = ("low", "medium", "high")
HORIZONS = (3, 6, 12)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    points: Decimal
    help: Text = EMPTY_TEXT
    exclusive: bool = False
    evidence: Text = EMPTY_TEXT  # what to show an on-site assessor for this answer


@dataclass(frozen=True)
class Band:
    up_to: float | None  # None: no upper bound (the last band)
    points: Decimal


@dataclass(frozen=True)
class Question:
    """One question. The fields common to all types come first; the type-specific ones are read
    and checked by the question's type (`kind`), and `extra` carries any a new type needs."""

    id: str
    dimension: str
    type: str
    text: Text
    help: Text = EMPTY_TEXT
    evidence: Text = EMPTY_TEXT
    required: bool = True
    allow_na: bool = False
    relevant: str | None = None
    choices: tuple[Choice, ...] = ()  # single, multi; ladder levels use values "0".."4"
    max_points_cap: Decimal | None = None  # multi
    unit: Text = EMPTY_TEXT
    min: float | None = None
    max: float | None = None
    integer: bool = False
    bands: tuple[Band, ...] = ()
    max_length: int = 1000
    official: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    key: str | None = None  # a fact shared with other questionnaires (pre-fill)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def kind(self) -> QuestionType:
        """The question's type: parses, scores, checks and describes its answers."""
        return QUESTION_TYPES[self.type]

    @property
    def scored(self) -> bool:
        """True when the question carries points."""
        return self.kind.scored

    @cached_property
    def max_points(self) -> float:
        """The best attainable points on this question (float, as the weighted scoring sums)."""
        return self.kind.max_points(self, float)

    @cached_property
    def exact_max_points(self) -> Decimal:
        """The best attainable points, exactly."""
        return self.kind.max_points(self, Decimal)

    def choice(self, value: Any) -> Choice | None:
        """The choice (or ladder level) with this value, if any."""
        return self._choice_index.get(str(value))

    @cached_property
    def _choice_index(self) -> dict[str, Choice]:
        return {c.value: c for c in self.choices}


@dataclass(frozen=True)
class Dimension:
    id: str
    title: Text
    description: Text
    weight: float
    kind: str = "points"  # points | scenarios (rated business scenarios, no points)
    max_points: Decimal | None = None  # declared by official questionnaires, checked on load


@dataclass(frozen=True)
class Level:
    """A stage, tier or level: reached when every one of its conditions holds
    (`assessment.core.levels`: minimum total, dimension gates, scenario counts)."""

    id: str
    label: Text
    meaning: Text
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    id: str
    question: str
    target: Any
    title: Text
    action: Text
    why: Text
    effort: str
    horizon: int
    evidence: Text = EMPTY_TEXT  # what an on-site assessor will ask for once it is done


@dataclass(frozen=True)
class Page:
    """One survey page: the questions of one dimension, in file order."""

    index: int
    dimension: Dimension
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: Text
    description: Text
    method: Text
    dimensions: tuple[Dimension, ...]
    levels: tuple[Level, ...]
    questions: tuple[Question, ...]
    recommendations: tuple[Recommendation, ...]
    source: str = ""
    scoring: str = "weighted"  # weighted (mean of dimension scores) | points (exact sum)
    note: Text = EMPTY_TEXT  # a provenance note shown with every result
    # Earlier versions of the same questionnaire whose scores this one's equal on the same
    # answers: cohorts, dashboards and exports pool them (checked by the registry on load).
    comparable_with: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(id, version): what a submitted assessment stores."""
        return (self.id, self.version)

    def question(self, qid: str) -> Question | None:
        """The question with this id, if any."""
        return self._question_index.get(qid)

    @cached_property
    def _question_index(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def dimension(self, did: str) -> Dimension | None:
        """The dimension with this id, if any."""
        return next((d for d in self.dimensions if d.id == did), None)

    def level(self, lid: str | None) -> Level | None:
        """The stage/tier with this id, if any."""
        return next((lv for lv in self.levels if lv.id == lid), None)

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        """One page per dimension, in dimension order."""
        return tuple(
            Page(i, d, tuple(q for q in self.questions if q.dimension == d.id))
            for i, d in enumerate(self.dimensions)
        )

    def texts(self, lang: str) -> dict[str, QuestionText]:
        """Every question's texts in `lang` ('zh' or 'en'), built once per version."""
        return self._texts["en" if lang == "en" else "zh"]

    @cached_property
    def _texts(self) -> dict[str, dict[str, QuestionText]]:
        return {lang: question_texts(self, lang) for lang in ("zh", "en")}

    @cached_property
    def scored_questions(self) -> tuple[Question, ...]:
        """Every question that carries points."""
        return tuple(q for q in self.questions if q.scored)

    @cached_property
    def scenarios(self) -> tuple[Question, ...]:
        """Every rated business scenario (counted by level rules, never scored)."""
        return tuple(q for q in self.questions if q.kind.rated)
