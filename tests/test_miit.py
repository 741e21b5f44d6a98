"""MIIT 2024 (制造业): official maxima from the file, band edges, the level rule at its boundaries,
exact sums. Pure engine tests on the real questionnaire file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assessment.core import levels
from assessment.core.question_types.derive import contradiction
from assessment.core.questionnaire.loader import load_file
from assessment.core.scoring import score

FILE = Path(__file__).resolve().parent.parent / "questionnaires" / "miit-2024.1.yaml"
MIIT, _PROBLEMS = load_file(FILE)
# The official points of each item (Q1–Q15), from the national system's questionnaire data.
OFFICIAL_MAXIMA = {"Q1": "8", "Q2": "6", "Q3": "6", "Q4": "10", "Q5": "10", "Q6": "5", "Q7": "5",
                   "Q8": "7.5", "Q9": "7.5", "Q10": "7.5", "Q11": "7.5", "Q12": "7", "Q13": "7",
                   "Q14": "3", "Q15": "3"}  # fmt: skip
CONSTRAINED = {"s_product_design", "s_marketing", "s_production_control", "s_quality",
               "s_equipment", "s_safety", "s_energy", "s_purchasing", "s_warehouse", "s_finance"}  # fmt: skip


def test_the_file_loads_without_problems():
    assert _PROBLEMS == []


def test_every_item_maximum_and_the_total_100_come_from_the_file():
    by_code = {q.official.get("code"): q for q in MIIT.scored_questions}
    assert {code: q.exact_max_points for code, q in by_code.items()} == {
        code: Decimal(v) for code, v in OFFICIAL_MAXIMA.items()
    }
    per_dimension = {
        d.id: sum(q.exact_max_points for q in MIIT.scored_questions if q.dimension == d.id)
        for d in MIIT.dimensions
        if d.kind == "points"
    }
    assert per_dimension == {"foundation": 50, "management": 30, "outcomes": 20}
    assert sum(per_dimension.values()) == 100


def test_sixteen_scenarios_ten_of_them_constrained():
    assert len(MIIT.scenarios) == 16
    assert {q.id for q in MIIT.scenarios if q.extra["constrained"]} == CONSTRAINED


def worst() -> dict:
    return {
        q.id: q.kind.example_answer(q, "worst") for q in MIIT.questions if q.scored or q.kind.rated
    }


def with_points(total_parts: dict) -> dict:
    """The worst answers with some scored questions changed."""
    answers = worst()
    answers.update(total_parts)
    return answers


def rated(answers: dict, constrained: int, guiding: int, level: int) -> dict:
    """Rate `constrained` 约束性 and `guiding` 指导性 scenarios at `level`, the others 0."""
    chosen = (
        sorted(CONSTRAINED)[:constrained]
        + sorted(q.id for q in MIIT.scenarios if q.id not in CONSTRAINED)[:guiding]
    )
    answers.update({q.id: (level if q.id in chosen else 0) for q in MIIT.scenarios})
    return answers


# Foundation at its best: 8 + 6 + 6 + 10 + 10 = exactly 40 points.
FORTY = {"m_network": ["b", "c", "d", "e"], "m_equipment_digital": "e",
         "m_equipment_networked": "e", "m_data_collection": [chr(c) for c in range(ord("b"), ord("p"))],
         "m_info_systems": "e"}  # fmt: skip


def test_s_exactly_40_with_six_scenarios_at_l2_three_constrained_is_level_2():
    result = score(MIIT, rated(with_points(FORTY), constrained=3, guiding=3, level=2))
    assert result.exact_total == Decimal(40)
    assert result.stage == "level2"


def test_one_constrained_scenario_fewer_drops_to_level_1_and_says_why():
    answers = rated(with_points(FORTY), constrained=2, guiding=4, level=2)
    answers[sorted(CONSTRAINED)[2]] = 1  # the third 约束性 scenario only at L1
    result = score(MIIT, answers)
    assert result.stage == "level1"
    [gap] = levels.gaps(MIIT.level("level2"), MIIT, result)
    assert gap.kind == "scenarios" and (gap.have, gap.need) == (6, 6)
    assert "(2 constrained)" in gap.message.render(lambda m, **p: m % p, "en")


def test_just_under_40_is_not_level_2():
    answers = rated(with_points(FORTY), constrained=3, guiding=3, level=2)
    answers["m_data_collection"] = [
        chr(c) for c in range(ord("b"), ord("o"))
    ]  # without 人力资源 0.9
    result = score(MIIT, answers)
    assert result.exact_total == Decimal("39.1")
    assert result.stage == "level1"
    [gap] = levels.gaps(MIIT.level("level2"), MIIT, result)
    assert gap.message.render(lambda m, **p: m % p, "en").endswith("0.9 points short.")


def test_level_4_scenarios_count_towards_level_3():
    best = {q.id: q.kind.example_answer(q, "best") for q in MIIT.scored_questions}
    answers = rated(with_points(best), constrained=5, guiding=3, level=4)
    result = score(MIIT, answers)
    assert result.exact_total == 100
    assert result.stage == "level3"  # 8 at L4 ≥ L3, but level 4 needs 10 at L4


def test_below_20_is_not_rated_even_with_every_scenario_at_the_top():
    answers = rated(
        with_points({"m_network": ["b", "c", "d", "e"], "m_info_systems": "e"}), 10, 6, 4
    )
    result = score(MIIT, answers)
    assert result.exact_total == 18 and result.stage == "none"


def test_decimal_points_add_up_exactly():
    answers = with_points({
        "m_data_collection": ["b", "c", "d", "e", "f", "g", "h", "i"],  # 8 × 0.7
        "m_mgmt_rules": ["b", "c", "d", "e"],  # 4 × 1.875
        "m_funding": "d",  # 5.625
    })  # fmt: skip
    result = score(MIIT, answers)
    assert result.exact_total == Decimal("18.725")  # 5.6 + 7.5 + 5.625, no float drift
    assert result.dimensions["management"].points == 13.125


@pytest.mark.parametrize(
    ("digital", "total", "band"),
    [(0, 120, "a"), (12, 120, "a"), (1201, 12000, "b"), (24, 120, "b"), (72, 120, "d"),
     (6001, 10000, "e"), (120, 120, "e")],
)  # fmt: skip
def test_rate_bands_close_on_the_right_and_exactly_10_percent_scores_0(digital, total, band):
    question = MIIT.question("m_equipment_digital")
    outcome = question.extra["derive"].compute(
        question, {"m_equipment_digital_count": digital, "m_equipment_total": total}
    )
    assert outcome.value == band


def test_more_digitised_than_total_machines_is_a_problem_at_the_count_not_a_band():
    question = MIIT.question("m_equipment_networked")
    outcome = question.extra["derive"].compute(
        question, {"m_equipment_networked_count": 130, "m_equipment_total": 120}
    )
    assert outcome.value is None
    assert list(outcome.problems) == ["m_equipment_networked_count"]


def test_zero_machines_never_divides_by_zero_and_says_what_to_do():
    question = MIIT.question("m_equipment_digital")
    outcome = question.extra["derive"].compute(
        question, {"m_equipment_digital_count": 0, "m_equipment_total": 0}
    )
    assert outcome.value is None
    assert "enter 1 to rate the rest" in outcome.problems["m_equipment_total"].message


def test_revenue_per_head_change_is_derived_with_its_tolerance():
    question = MIIT.question("m_revenue_per_head")
    derive = question.extra["derive"]

    def change(now, before):
        figures = {"m_revenue_last": now, "m_staff_last": 100, "m_revenue_prev": before,
                   "m_staff_prev": 100}  # fmt: skip
        return derive.compute(question, figures).value

    assert change(10100, 10000) == "b"  # +1 %: within the 1 % tolerance, 持平
    assert change(10101, 10000) == "c"  # +1.01 %: 增加
    assert change(9800, 10000) == "a"  # −2 %: 降低


def test_a_chosen_energy_answer_that_contradicts_the_figures_is_flagged():

    question = MIIT.question("m_energy")
    figures = {"m_energy_last": 900, "m_revenue_last": 10000, "m_energy_prev": 800,
               "m_revenue_prev": 10000}  # fmt: skip
    assert contradiction(question, {**figures, "m_energy": "c"}) is not None  # chose 降低, rose
    assert contradiction(question, {**figures, "m_energy": "a"}) is None  # 增加 agrees
