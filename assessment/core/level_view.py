"""What a points-scored, level-rated result (MIIT's) shows: S and its sub-scores beside their
maxima, the scenario grid, the level, every missing condition for the next level, the cheapest
plans to the next two levels, and the evidence to have ready for an on-site rating. Pure; the
result page and the PDF render the same `LevelView`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assessment.core import levels
from assessment.core.levels import Gap, ScenarioCount
from assessment.core.planner import Plan, plan_for, project
from assessment.core.questionnaire.answers import describe
from assessment.core.questionnaire.model import Dimension, Level, Question, Questionnaire
from assessment.core.scoring import SCORED, Result
from assessment.core.text import Text


@dataclass(frozen=True)
class SubScore:
    dimension: Dimension
    points: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class ScenarioRow:
    question: Question
    level: int
    constrained: bool


@dataclass(frozen=True)
class EvidenceItem:
    """An answer that earned points or a level, and what to show an assessor for it."""

    question: Question
    answer: str
    evidence: tuple[Text, ...]


@dataclass(frozen=True)
class LevelView:
    level: Level
    total: Decimal  # S, exact
    subscores: tuple[SubScore, ...]
    groups: tuple[tuple[Dimension, tuple[ScenarioRow, ...]], ...]
    counts: dict[int, tuple[int, int]]  # level L → (scenarios at L or above, of them 约束性)
    next_level: Level | None
    gaps: tuple[Gap, ...]  # what the next level still needs
    plan: Plan | None  # the cheapest way there
    after_level: Level | None
    after_plan: Plan | None  # the cheapest way to the level after that
    selected: tuple[str, ...]  # ticked step ids
    selected_projection: Result | None
    checklist: tuple[EvidenceItem, ...]
    note: Text


def exact(value: float) -> Decimal:
    """A stored point figure as the exact decimal it was summed from."""
    return Decimal(repr(value))


def _groups(questionnaire: Questionnaire, result: Result) -> tuple:
    out = []
    for dim in (d for d in questionnaire.dimensions if d.kind == "scenarios"):
        rows = tuple(
            ScenarioRow(q, result.scenarios.get(q.id, 0), bool(q.extra.get("constrained")))
            for q in questionnaire.scenarios
            if q.dimension == dim.id
        )
        out.append((dim, rows))
    return tuple(out)


def _counts(questionnaire: Questionnaire, result: Result) -> dict[int, tuple[int, int]]:
    return {
        lv: ScenarioCount(0, lv, 0).met_by(questionnaire, result.scenarios) for lv in (1, 2, 3, 4)
    }


def checklist(questionnaire: Questionnaire, answers: Mapping[str, Any], result: Result,
              lang: str, na_label: str) -> tuple[EvidenceItem, ...]:  # fmt: skip
    """现场评定准备清单: every answer that earned points or a level, with its evidence — the chosen
    choices' own hints where the file has them, else the question's."""
    out = []
    for question in questionnaire.questions:
        answer = answers.get(question.id)
        earned = (question.scored and result.questions[question.id].status == SCORED
                  and result.questions[question.id].points > 0) or (
                  question.kind.rated and result.scenarios.get(question.id, 0) > 0)  # fmt: skip
        if not earned:
            continue
        chosen = answer if isinstance(answer, list) else [answer]
        hints = tuple(c.evidence for v in chosen if (c := question.choice(v)) and c.evidence.zh)
        out.append(EvidenceItem(question, describe(question, answer, lang, na_label),
                                hints or ((question.evidence,) if question.evidence.zh else ())))  # fmt: skip
    return tuple(out)


def build(questionnaire: Questionnaire, answers: Mapping[str, Any], result: Result,
          selected: tuple[str, ...], lang: str, na_label: str) -> LevelView:  # fmt: skip
    """The level view of one result; `selected` are ticked recommendation ids (what-if)."""
    level = questionnaire.level(result.stage)
    above = levels.next_levels(questionnaire, result.stage)
    following = above[0] if above else None
    after = above[1] if len(above) > 1 else None
    by_id = {r.id: r for r in questionnaire.recommendations}
    ticked = tuple(s for s in dict.fromkeys(selected) if s in by_id)
    return LevelView(
        level=level,
        total=result.exact_total,
        subscores=tuple(
            SubScore(
                d,
                exact(result.dimensions[d.id].points),
                d.max_points or exact(result.dimensions[d.id].max_points),
            )
            for d in questionnaire.dimensions
            if d.kind == "points"
        ),  # fmt: skip
        groups=_groups(questionnaire, result),
        counts=_counts(questionnaire, result),
        next_level=following,
        gaps=tuple(levels.gaps(following, questionnaire, result)) if following else (),
        plan=plan_for(questionnaire, answers, result, following) if following else None,
        after_level=after,
        after_plan=plan_for(questionnaire, answers, result, after) if after else None,
        selected=ticked,
        selected_projection=(
            project(questionnaire, answers, [by_id[s] for s in ticked]) if ticked else None
        ),  # fmt: skip
        checklist=checklist(questionnaire, answers, result, lang, na_label),
        note=questionnaire.note,
    )
