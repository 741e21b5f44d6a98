"""Level rules as data: a stage, tier or official level is reached when all its conditions hold.

One class per kind of condition, each read from its own key of a `levels` entry in the YAML file:
`min_total` (the total, compared exactly), `gates` (minimum dimension scores) and `scenarios`
(at least N rated scenarios at or above level L, of which at least M 约束性). Each says whether it
holds for a result and, when it does not, what is missing in plain words (`Gap`), which the result
page and the PDF show on the path to the next level. A new kind is one new class in `CONDITIONS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from assessment.core.parsing import Problems, number
from assessment.core.text import N_, Problem

if TYPE_CHECKING:  # the scoring engine imports this module
    from assessment.core.questionnaire.model import Level, Questionnaire
    from assessment.core.scoring import Result


@dataclass(frozen=True)
class Gap:
    """A condition of a level that a result does not meet: what is missing, as a message."""

    kind: str
    message: Problem
    have: Decimal | int
    need: Decimal | int


class Condition(ABC):
    """One requirement of a level (each kind implements every method)."""

    key: ClassVar[str]  # its key in a `levels` entry

    @classmethod
    @abstractmethod
    def parse(cls, raw: Any, where: str, problems: Problems, dims: set[str]) -> Condition | None:
        """The condition read from `raw` (the value of its key), or None when absent."""

    @abstractmethod
    def gaps(self, level: Level, questionnaire: Questionnaire, result: Result) -> list[Gap]:
        """What `result` lacks to meet this condition of `level` (empty when it is met)."""

    @abstractmethod
    def holds(self, questionnaire: Questionnaire, result: Result) -> bool:
        """Whether `result` meets this condition: what scoring asks of every result, so kinds
        answer it without building the messages of `gaps`."""

    @abstractmethod
    def serialize(self) -> dict[str, Any]:
        """The condition for `questionnaire show`."""


def exact(value: Any) -> Decimal:
    """A number as the Decimal of its shortest repr (0.7 stays 0.7)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def plain(value: Decimal | int) -> str:
    """An exact number without trailing zeros: 35.5, 40, 1.875."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


@dataclass(frozen=True)
class MinTotal(Condition):
    """The total (S) is at least `minimum`, compared on the exact total (39.999… is not 40)."""

    key = "min_total"
    minimum: Decimal

    @classmethod
    def parse(cls, raw, where, problems, dims):
        value = number(raw, where, "min_total", problems, minimum=0)
        return cls(exact(value)) if value else None

    def holds(self, questionnaire, result):
        return result.exact_total >= self.minimum

    def gaps(self, level, questionnaire, result):
        have = result.exact_total
        if have >= self.minimum:
            return []
        message = Problem(
            N_("Score %(have)s; %(level)s needs at least %(need)s: %(short)s points short."),
            {"have": plain(have), "level": level.label, "need": plain(self.minimum),
             "short": plain(self.minimum - have)},
        )  # fmt: skip
        return [Gap(self.key, message, have, self.minimum)]

    def serialize(self):
        return {"min_total": float(self.minimum)}


@dataclass(frozen=True)
class Gates(Condition):
    """Each named dimension scores at least its minimum (a dimension with no score — everything
    in it not applicable — does not block: not applicable must never count as zero)."""

    key = "gates"
    minimums: tuple[tuple[str, float], ...]

    @classmethod
    def parse(cls, raw, where, problems, dims):
        if raw is None or raw == {}:
            return None
        if not isinstance(raw, dict):
            problems.add(where, "'gates' must map dimension ids to minimum scores")
            return None
        for did, minimum in raw.items():
            if did not in dims:
                problems.add(where, f"gate on unknown dimension '{did}'")
            number(minimum, where, f"gates.{did}", problems, minimum=0)
        return cls(tuple((k, float(v)) for k, v in raw.items() if isinstance(v, int | float)))

    def holds(self, questionnaire, result):
        scores = (result.dimensions[did].score for did, _ in self.minimums)
        return all(s is None or s >= m for s, (_, m) in zip(scores, self.minimums, strict=True))

    def gaps(self, level, questionnaire, result):
        out = []
        for did, minimum in self.minimums:
            score = result.dimensions[did].score
            if score is not None and score < minimum:
                message = Problem(
                    N_("%(dimension)s scores %(have)s; %(level)s needs at least %(need)s."),
                    {"dimension": questionnaire.dimension(did).title, "have": f"{score:.1f}",
                     "level": level.label, "need": f"{minimum:g}"},
                )  # fmt: skip
                out.append(Gap(self.key, message, exact(score), exact(minimum)))
        return out

    def serialize(self):
        return {"gates": dict(self.minimums)}


@dataclass(frozen=True)
class ScenarioCount(Condition):
    """At least `count` rated scenarios at `level` or above, `constrained` of them 约束性 (a 约束性
    scenario counts towards both numbers)."""

    key = "scenarios"
    count: int
    level: int
    constrained: int

    @classmethod
    def parse(cls, raw, where, problems, dims):
        if raw is None:
            return None
        fields = ("count", "level", "constrained")
        if not isinstance(raw, dict) or any(
            not isinstance(raw.get(f), int) or isinstance(raw.get(f), bool) or raw.get(f) < 0
            for f in fields
        ):
            problems.add(where, "'scenarios' needs whole numbers count, level and constrained")
            return None
        if raw["constrained"] > raw["count"] or not 1 <= raw["level"] <= 4:
            problems.add(where, "'scenarios' needs constrained ≤ count and a level from 1 to 4")
        return cls(raw["count"], raw["level"], raw["constrained"])

    def met_by(self, questionnaire: Questionnaire, levels: dict[str, int]) -> tuple[int, int]:
        """(scenarios, 约束性 scenarios) at this condition's level or above."""
        at = [q for q in questionnaire.scenarios if levels.get(q.id, 0) >= self.level]
        return len(at), sum(1 for q in at if q.extra.get("constrained"))

    def holds(self, questionnaire, result):
        have, have_constrained = self.met_by(questionnaire, result.scenarios)
        return have >= self.count and have_constrained >= self.constrained

    def gaps(self, level, questionnaire, result):
        have, have_constrained = self.met_by(questionnaire, result.scenarios)
        if have >= self.count and have_constrained >= self.constrained:
            return []
        message = Problem(
            N_("Scenarios at level %(level)s or above: %(have)s (%(have_c)s constrained); "
               "%(label)s needs %(need)s (%(need_c)s constrained)."),
            {"level": self.level, "have": have, "have_c": have_constrained, "label": level.label,
             "need": self.count, "need_c": self.constrained},
        )  # fmt: skip
        return [Gap(self.key, message, have, self.count)]

    def serialize(self):
        return {"scenarios": {"count": self.count, "level": self.level,
                              "constrained": self.constrained}}  # fmt: skip


CONDITIONS: tuple[type[Condition], ...] = (MinTotal, Gates, ScenarioCount)


def parse_conditions(raw: dict, where: str, problems: Problems, dims: set[str]) -> tuple:
    """Every condition a `levels` entry states."""
    found = (kind.parse(raw.get(kind.key), where, problems, dims) for kind in CONDITIONS)
    return tuple(c for c in found if c is not None)


def gaps(level: Level, questionnaire: Questionnaire, result: Result) -> list[Gap]:
    """Everything `result` lacks to reach `level` (empty when it is reached)."""
    return [gap for c in level.conditions for gap in c.gaps(level, questionnaire, result)]


def reached(questionnaire: Questionnaire, result: Result) -> Level:
    """The highest level whose conditions all hold (the first level has none)."""
    found = questionnaire.levels[0]
    for level in questionnaire.levels:
        if all(c.holds(questionnaire, result) for c in level.conditions):
            found = level
    return found


def next_levels(questionnaire: Questionnaire, current: str) -> list[Level]:
    """The levels above `current`, lowest first."""
    ids = [lv.id for lv in questionnaire.levels]
    return list(questionnaire.levels[ids.index(current) + 1 :]) if current in ids else []
