"""The in-memory questionnaire definition: plain frozen dataclasses, built by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

NA = "na"  # the answer "not applicable"
SCORED_TYPES = ("single", "multi", "number", "ladder")
QUESTION_TYPES = (*SCORED_TYPES, "text")
EFFORTS = ("low", "medium", "high")
HORIZONS = (3, 6, 12)


@dataclass(frozen=True)
class Text:
    """A bilingual text; `get(lang)` falls back to Chinese."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang` ('zh' or 'en')."""
        return self.en if lang == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        """The text as `{zh, en}`."""
        return {"zh": self.zh, "en": self.en}


EMPTY_TEXT = Text("", "")


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    points: float
    help: Text = EMPTY_TEXT
    exclusive: bool = False


@dataclass(frozen=True)
class Band:
    up_to: float | None  # None: no upper bound (the last band)
    points: float


@dataclass(frozen=True)
class Question:
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
    max_points_cap: float | None = None  # multi
    unit: Text = EMPTY_TEXT
    min: float | None = None
    max: float | None = None
    integer: bool = False
    bands: tuple[Band, ...] = ()
    max_length: int = 1000

    @property
    def scored(self) -> bool:
        """True for every type but free text."""
        return self.type in SCORED_TYPES

    @cached_property
    def max_points(self) -> float:
        """The best attainable points on this question."""
        if self.type in ("single", "ladder"):
            return max(c.points for c in self.choices)
        if self.type == "multi":
            total = sum(c.points for c in self.choices if not c.exclusive)
            best_exclusive = max((c.points for c in self.choices if c.exclusive), default=0.0)
            best = max(total, best_exclusive)
            return min(best, self.max_points_cap) if self.max_points_cap is not None else best
        if self.type == "number":
            return max(b.points for b in self.bands)
        return 0.0

    def choice(self, value: Any) -> Choice | None:
        """The choice (or ladder level) with this value, if any."""
        key = str(value)
        for c in self.choices:
            if c.value == key:
                return c
        return None


@dataclass(frozen=True)
class Dimension:
    id: str
    title: Text
    description: Text
    weight: float


@dataclass(frozen=True)
class Level:
    id: str
    label: Text
    meaning: Text
    min_total: float
    gates: dict[str, float] = field(default_factory=dict)


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

    @property
    def key(self) -> tuple[str, str]:
        """(id, version): what a submitted assessment stores."""
        return (self.id, self.version)

    def question(self, qid: str) -> Question | None:
        """The question with this id, if any."""
        return self._question_index.get(qid)

    @property
    def _question_index(self) -> dict[str, Question]:
        index = self.__dict__.get("_qindex")
        if index is None:
            index = {q.id: q for q in self.questions}
            object.__setattr__(self, "_qindex", index)
        return index

    def dimension(self, did: str) -> Dimension | None:
        """The dimension with this id, if any."""
        return next((d for d in self.dimensions if d.id == did), None)

    def level(self, lid: str | None) -> Level | None:
        """The stage/tier with this id, if any."""
        return next((lv for lv in self.levels if lv.id == lid), None)

    @property
    def pages(self) -> tuple[Page, ...]:
        """One page per dimension, in dimension order."""
        cached = self.__dict__.get("_pages")
        if cached is None:
            cached = tuple(
                Page(i, d, tuple(q for q in self.questions if q.dimension == d.id))
                for i, d in enumerate(self.dimensions)
            )
            object.__setattr__(self, "_pages", cached)
        return cached

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """Every question that carries points."""
        return tuple(q for q in self.questions if q.scored)
