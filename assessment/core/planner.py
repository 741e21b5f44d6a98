"""The cheapest plan to reach a level: an exact search over the questionnaire's authored steps.

A level needs a minimum total (points) and some scenarios rated high enough (`levels`). Scenarios
carry no points, so the two parts are independent and each is solved exactly:

* points: every scored question offers its recommendations (one target per single-choice
  question, or any number of additions to a multi-choice one); choosing steps of least total effort
  whose gains reach the shortfall is a multiple-choice knapsack, solved by dynamic programming over
  the (small, whole-number) effort;
* scenarios: raising a scenario to level L costs its one-level steps from where it stands; the
  cheapest way to have N scenarios at L or above, M of them 约束性, takes the k cheapest 约束性 and
  the N − k cheapest others for the best k.

Effort counts low 1, medium 2, high 3. The plan is then re-scored by the engine (`project`), so the
projected total and level shown are the engine's, never the planner's arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assessment.core.levels import MinTotal, ScenarioCount
from assessment.core.questionnaire.answers import is_empty
from assessment.core.questionnaire.model import NA, Level, Question, Questionnaire, Recommendation
from assessment.core.recommend import apply
from assessment.core.scoring import Result, score

EFFORT = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Plan:
    """Steps that reach `level` with the least effort, and the engine's result after them."""

    level: Level
    steps: tuple[Recommendation, ...]
    effort: int
    projected: Result

    @property
    def reaches(self) -> bool:
        """True when the re-scored result is at `level` or above."""
        ids = [lv.id for lv in self.projected_levels]
        return ids.index(self.projected.stage) >= ids.index(self.level.id)

    projected_levels: tuple[Level, ...] = ()


@dataclass(frozen=True)
class _Option:
    cost: int
    gain: Decimal
    steps: tuple[Recommendation, ...]


def _points(question: Question, answer: Any) -> Decimal:
    if is_empty(answer) or answer == NA:
        return Decimal(0)
    return question.kind.points(question, answer, Decimal)


def _point_groups(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[list[_Option]]:
    """Per scored question the alternatives it offers (a multi question: each addition alone)."""
    groups = []
    for question in questionnaire.scored_questions:
        current = answers.get(question.id)
        if current == NA:
            continue  # not applicable: nothing to gain there
        now = _points(question, current)
        options = []
        for rec in (r for r in questionnaire.recommendations if r.question == question.id):
            gain = _points(question, question.kind.improve(question, current, rec.target)) - now
            if gain > 0:
                options.append(_Option(EFFORT[rec.effort], gain, (rec,)))
        if question.type == "multi" and question.max_points_cap is None:
            groups += [[option] for option in options]  # additions add up: each is its own item
        elif options:
            groups.append(options)
    return groups


def _cheapest_gain(groups: list[list[_Option]], needed: Decimal) -> tuple[int, list] | None:
    """The least effort whose steps gain at least `needed` (one option per group at most), or None
    when even every step together falls short. Exact: effort is a small whole number."""
    if needed <= 0:
        return 0, []
    budget = sum(max(o.cost for o in group) for group in groups)
    # best[c] = (largest gain with effort at most c, the options giving it)
    best: list[tuple[Decimal, tuple]] = [(Decimal(0), ())] * (budget + 1)
    for group in groups:
        previous = best[:]
        for c in range(budget + 1):
            for option in group:
                if option.cost <= c:
                    gain, chosen = previous[c - option.cost]
                    if gain + option.gain > best[c][0]:
                        best[c] = (gain + option.gain, (*chosen, option))
    for c in range(budget + 1):
        if best[c][0] >= needed:
            return c, [step for option in best[c][1] for step in option.steps]
    return None


def _climb(questionnaire: Questionnaire, scenario: Question, start: int, target: int):
    """(effort, steps) to raise a scenario from `start` to `target`; None when a step is missing."""
    steps = []
    for level in range(start + 1, target + 1):
        rec = next((r for r in questionnaire.recommendations
                    if r.question == scenario.id and r.target == level), None)  # fmt: skip
        if rec is None:
            return None
        steps.append(rec)
    return sum(EFFORT[r.effort] for r in steps), steps


def _cheapest_scenarios(questionnaire: Questionnaire, rule: ScenarioCount,
                        rated: Mapping[str, int]) -> tuple[int, list] | None:  # fmt: skip
    """The least effort to have `rule.count` scenarios at `rule.level`, `rule.constrained` 约束性."""
    costed = {True: [], False: []}
    for order, scenario in enumerate(questionnaire.scenarios):
        climb = _climb(questionnaire, scenario, rated.get(scenario.id, 0), rule.level)
        if climb is not None:
            costed[bool(scenario.extra.get("constrained"))].append((climb[0], order, climb[1]))
    constrained, others = sorted(costed[True]), sorted(costed[False])
    best = None
    for k in range(rule.constrained, min(rule.count, len(constrained)) + 1):
        if rule.count - k > len(others):
            continue
        chosen = constrained[:k] + others[: rule.count - k]
        effort = sum(cost for cost, _order, _steps in chosen)
        if best is None or effort < best[0]:
            best = (effort, [step for _c, _o, steps in chosen for step in steps])
    return best


def plan_for(questionnaire: Questionnaire, answers: Mapping[str, Any], result: Result,
             level: Level) -> Plan | None:  # fmt: skip
    """The cheapest plan from these answers to `level`, or None when the authored steps cannot
    reach it (or the level has a kind of condition the planner does not plan for)."""
    effort, steps = 0, []
    for condition in level.conditions:
        if isinstance(condition, MinTotal):
            found = _cheapest_gain(_point_groups(questionnaire, answers),
                                   condition.minimum - result.exact_total)  # fmt: skip
        elif isinstance(condition, ScenarioCount):
            found = _cheapest_scenarios(questionnaire, condition, result.scenarios)
        else:
            return None
        if found is None:
            return None
        effort, steps = effort + found[0], steps + found[1]
    ordered = tuple(r for r in questionnaire.recommendations if r in steps)  # file order
    return Plan(
        level, ordered, effort, project(questionnaire, answers, ordered), questionnaire.levels
    )


def project(questionnaire: Questionnaire, answers: Mapping[str, Any],
            steps: tuple[Recommendation, ...] | list[Recommendation]) -> Result:  # fmt: skip
    """The engine's result after these steps (a scenario takes its highest target)."""
    highest: dict[str, Recommendation] = {}
    others = []
    for rec in steps:
        if questionnaire.question(rec.question).kind.rated:
            if rec.question not in highest or rec.target > highest[rec.question].target:
                highest[rec.question] = rec
        else:
            others.append(rec)
    return score(questionnaire, apply(questionnaire, answers, [*others, *highest.values()]))
