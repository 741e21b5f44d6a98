"""Recommendation ranking and the what-if projection (always the engine's own score)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.model import NA
from assessment.core.recommend import apply, by_horizon, candidate_steps, improved_answer, project
from assessment.core.scoring import score

from .helpers import typical_answers

ROOT = Path(__file__).resolve().parent.parent
MINI, _ = load_file(ROOT / "tests/data/mini-1.yaml")
REAL = {
    name: load_file(ROOT / f"questionnaires/{name}-2025.1.yaml")[0]
    for name in ("lianghua", "cloud")
}


def test_steps_are_ranked_by_gain_per_effort():
    answers = {"net": "none", "measures": ["none"], "rate": 60, "erp": 1, "staff": 3}
    result = score(MINI, answers)
    steps = candidate_steps(MINI, answers, result)
    # By hand (total = mean of base and apps): base is 6 of 15 points.
    # r_net (none → plant, +4 points): base 10/15, total +13.33; medium effort → priority 6.67.
    # r_measures (none → fw+backup, +4 points): the same gain; low effort → priority 13.33.
    # r_erp (L1 → L2) reveals erp_mes, unanswered: apps 3/6 → 4/9, a loss, so it is not offered.
    assert [s.id for s in steps] == ["r_measures", "r_net"]
    assert steps[0].gain == pytest.approx(13.33, abs=0.02)
    assert steps[0].priority == pytest.approx(13.33, abs=0.02)
    assert steps[1].priority == pytest.approx(6.67, abs=0.02)


def test_below_median_dimensions_are_boosted():
    answers = {
        "net": "office",
        "measures": ["fw"],
        "rate": 60,
        "erp": 2,
        "erp_mes": "has",
        "staff": 3,
    }
    result = score(MINI, answers)
    plain = {s.id: s.priority for s in candidate_steps(MINI, answers, result)}
    boosted = {
        s.id: s.priority for s in candidate_steps(MINI, answers, result, {"apps": 99, "base": 0})
    }
    assert {"r_net", "r_measures"} <= set(plain)
    assert boosted["r_net"] == plain["r_net"]  # base is above its median: unchanged
    lifted = {s.id: s.priority for s in candidate_steps(MINI, answers, result, {"base": 99})}
    assert lifted["r_net"] == pytest.approx(plain["r_net"] * 1.5)  # far below: +50 %


def test_projection_is_the_engines_score_of_the_improved_answers():
    for questionnaire in REAL.values():
        answers = typical_answers(questionnaire, "worst")
        result = score(questionnaire, answers)
        steps = candidate_steps(questionnaire, answers, result)
        assert len(steps) >= 5
        for n in (1, 3, 5):
            improved = apply(questionnaire, answers, [s.recommendation for s in steps[:n]])
            assert project(questionnaire, answers, steps[:n]) == score(questionnaire, improved)
        assert project(questionnaire, answers, steps[:5]).total > result.total
        for step in steps:
            alone = score(questionnaire, apply(questionnaire, answers, [step.recommendation]))
            assert step.gain == pytest.approx(alone.total - result.total, abs=0.01)


def test_multi_target_drops_the_exclusive_none_choice():
    rec = next(r for r in MINI.recommendations if r.id == "r_measures")
    assert improved_answer(MINI, rec, ["none"]) == ["fw", "backup"]
    assert improved_answer(MINI, rec, ["policy"]) == ["fw", "backup", "policy"]


def test_not_applicable_and_hidden_questions_get_no_recommendation():
    answers = {"net": NA, "measures": ["fw", "backup", "policy"], "rate": 60, "erp": NA, "staff": 3}
    steps = candidate_steps(MINI, answers, score(MINI, answers))
    assert {s.id for s in steps}.isdisjoint({"r_net", "r_erp"})


def test_all_best_answers_leave_no_recommendation():
    for questionnaire in REAL.values():
        answers = typical_answers(questionnaire, "best")
        result = score(questionnaire, answers)
        assert result.total == 100
        assert candidate_steps(questionnaire, answers, result) == []


def test_every_dimension_has_recommendations_and_there_are_forty_in_all():
    total = 0
    for questionnaire in REAL.values():
        covered = {
            questionnaire.question(r.question).dimension for r in questionnaire.recommendations
        }
        assert covered == {d.id for d in questionnaire.dimensions}
        total += len(questionnaire.recommendations)
    assert total >= 40


def test_steps_group_by_horizon():
    answers = {"net": "none", "measures": ["none"], "rate": 5, "erp": 0, "staff": 0}
    groups = by_horizon(candidate_steps(MINI, answers, score(MINI, answers)))
    assert [s.id for s in groups[3]] == ["r_measures"]
    assert [s.id for s in groups[6]] == ["r_net"]
    # erp 0 → 2 gains 2 points but reveals erp_mes (0 of 3): apps 0/6 → 2/9, still a gain.
    assert [s.id for s in groups[12]] == ["r_erp"]
