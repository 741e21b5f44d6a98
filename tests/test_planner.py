"""The cheapest plan to a level: it reaches the level when re-scored by the engine, and no plan of
less effort exists (checked against every subset of steps on a small hand-made questionnaire)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from assessment.core.planner import EFFORT, plan_for, project
from assessment.core.questionnaire.loader import load_file
from assessment.core.scoring import score
from assessment.services.demo import demo_answers

DATA = Path(__file__).resolve().parent / "data"
MINI, _ = load_file(DATA / "levels-mini.yaml")
MIIT, _ = load_file(DATA.parent.parent / "questionnaires" / "miit-2024.1.yaml")

STARTS = [
    {"sys": "a", "sec": ["a"], "s1": 0, "s2": 0, "s3": 0},
    {"sys": "b", "sec": ["b"], "s1": 1, "s2": 0, "s3": 0},
    {"sys": "a", "sec": ["c", "d"], "s1": 0, "s2": 1, "s3": 2},
    {"sys": "c", "sec": ["a"], "s1": 2, "s2": 0, "s3": 1},
    {"sys": "b", "sec": ["b", "c"], "s1": 1, "s2": 1, "s3": 0},
]


def reached(questionnaire, result, level) -> bool:
    ids = [lv.id for lv in questionnaire.levels]
    return ids.index(result.stage) >= ids.index(level.id)


def brute_force_least_effort(answers, level) -> int | None:
    """The least effort over every combination of steps that reaches `level`: any subset of the
    points steps, and for each scenario any target level (climbing one level at a time, so a
    target costs every step from where the scenario stands)."""
    points = [r for r in MINI.recommendations if not MINI.question(r.question).kind.rated]
    climbs = []
    for scenario in MINI.scenarios:
        start, options = answers[scenario.id], []
        for target in range(start, 5):
            steps = [r for r in MINI.recommendations
                     if r.question == scenario.id and start < r.target <= target]  # fmt: skip
            options.append(steps)
        climbs.append(options)
    best = None
    for size in range(len(points) + 1):
        for chosen in itertools.combinations(points, size):
            for climb in itertools.product(*climbs):
                steps = [*chosen, *(r for steps in climb for r in steps)]
                effort = sum(EFFORT[r.effort] for r in steps)
                if (best is None or effort < best) and reached(
                    MINI, project(MINI, answers, steps), level
                ):
                    best = effort
    return best


def test_the_mini_questionnaire_loads():
    assert MINI is not None and MINI.scoring == "points"


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("level_id", ["l1", "l2"])
def test_no_cheaper_plan_exists_than_the_planners(start, level_id):
    level = MINI.level(level_id)
    result = score(MINI, start)
    plan = plan_for(MINI, start, result, level)
    expected = brute_force_least_effort(start, level)
    if expected is None:
        assert plan is None
        return
    assert plan is not None and plan.reaches
    assert reached(MINI, plan.projected, level)  # the engine's re-score, not the planner's sums
    assert plan.effort == expected == sum(EFFORT[r.effort] for r in plan.steps)


def test_a_level_already_reached_needs_no_step():
    start = {"sys": "c", "sec": ["b", "c", "d"], "s1": 2, "s2": 2, "s3": 0}
    result = score(MINI, start)
    assert result.stage == "l2"
    plan = plan_for(MINI, start, result, MINI.level("l2"))
    assert plan.steps == () and plan.effort == 0


@pytest.mark.parametrize("seed", range(8))
def test_miit_plans_to_the_next_two_levels_reach_them_when_rescored(seed):
    rng = random.Random(seed)
    answers = demo_answers(MIIT, rng.random(), rng)
    result = score(MIIT, answers)
    ids = [lv.id for lv in MIIT.levels]
    for level in MIIT.levels[ids.index(result.stage) + 1 :][:2]:
        plan = plan_for(MIIT, answers, result, level)
        assert plan is not None, level.id
        assert reached(MIIT, plan.projected, level)


def test_miit_from_the_bottom_every_level_is_reachable():
    worst = {
        q.id: q.kind.example_answer(q, "worst") for q in MIIT.questions if q.scored or q.kind.rated
    }
    result = score(MIIT, worst)
    efforts = [plan_for(MIIT, worst, result, level).effort for level in MIIT.levels[1:]]
    assert efforts == sorted(efforts) and efforts[0] > 0
