"""Scoring engine properties: range, monotonicity, N/A handling, determinism, hidden questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.core import levels
from assessment.core.questionnaire.answers import clean
from assessment.core.questionnaire.expressions import names_in
from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.model import NA, Question, Questionnaire
from assessment.core.scoring import DimensionResult, Result, question_points, score, stage_for

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "tests/data/mini-1.yaml", *sorted((ROOT / "questionnaires").glob("*.yaml"))]


def _load(path) -> Questionnaire:
    questionnaire, problems = load_file(path)
    assert problems == []
    return questionnaire


QUESTIONNAIRES = {p.stem: _load(p) for p in FILES}
MINI = QUESTIONNAIRES["mini-1"]


def answer_strategy(q: Question) -> st.SearchStrategy:
    """Any valid answer to a question, N/A included where allowed, or no answer."""
    options: list[st.SearchStrategy] = [st.none()]
    if q.allow_na:
        options.append(st.just(NA))
    if q.type == "single":
        options.append(st.sampled_from([c.value for c in q.choices]))
    elif q.type == "ladder":
        options.append(st.integers(0, 4))
    elif q.type == "multi":
        plain = [c.value for c in q.choices if not c.exclusive]
        options.append(st.lists(st.sampled_from(plain), unique=True, min_size=1))
        options += [st.just([c.value]) for c in q.choices if c.exclusive]
    elif q.type == "number":
        values = st.integers if q.integer else st.floats
        kwargs = {} if q.integer else {"allow_nan": False}
        options.append(values(int(q.min), int(q.max), **kwargs))
    else:
        options.append(st.text(max_size=20))
    return st.one_of(options)


def answers_strategy(questionnaire: Questionnaire) -> st.SearchStrategy:
    return st.fixed_dictionaries({q.id: answer_strategy(q) for q in questionnaire.questions}).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
def test_scores_stay_within_0_and_100_and_are_deterministic(name):
    questionnaire = QUESTIONNAIRES[name]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers_strategy(questionnaire))
    def check(answers):
        first = score(questionnaire, answers)
        assert 0 <= first.total <= 100
        for dim in first.dimensions.values():
            assert dim.score is None or 0 <= dim.score <= 100
        assert first.stage in {lv.id for lv in questionnaire.levels}
        assert score(questionnaire, dict(answers)).to_dict() == first.to_dict()
        # The quick test scoring uses (`holds`) agrees with the explained one (`gaps`).
        for level in questionnaire.levels:
            quick = all(c.holds(questionnaire, first) for c in level.conditions)
            assert quick == (not levels.gaps(level, questionnaire, first)), level.id

    check()


def _better_answers(q: Question, answer):
    """Answers to q that earn at least as many points as `answer`."""
    if q.type in ("single", "ladder"):
        here = question_points(q, answer)
        return [
            int(c.value) if q.type == "ladder" else c.value for c in q.choices if c.points >= here
        ]
    if q.type == "multi" and answer != NA and not any(q.choice(v).exclusive for v in answer):
        return [sorted(set(answer) | {c.value}) for c in q.choices if not c.exclusive]
    if q.type == "number":
        return [
            v
            for v in (q.min, q.max, (q.min + q.max) / 2)
            if question_points(q, v) >= question_points(q, answer)
        ]
    return []


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
def test_a_better_answer_never_lowers_a_score(name):
    questionnaire = QUESTIONNAIRES[name]
    # Questions that gate others may reveal new questions when improved; monotonicity is about
    # the answer's own points, so hold relevance fixed by only improving non-gating questions.
    gating = set()
    for q in questionnaire.questions:
        if q.relevant:
            gating |= names_in(q.relevant)

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers_strategy(questionnaire), st.data())
    def check(answers, data):
        answers = clean(questionnaire, answers)
        candidates = [
            q
            for q in questionnaire.scored_questions
            if q.id in answers and q.id not in gating and answers[q.id] != NA
        ]
        if not candidates:
            return
        q = data.draw(st.sampled_from(candidates))
        better = _better_answers(q, answers[q.id])
        if not better:
            return
        improved = {**answers, q.id: data.draw(st.sampled_from(better))}
        before, after = score(questionnaire, answers), score(questionnaire, improved)
        assert after.total >= before.total - 1e-9
        assert after.dimensions[q.dimension].score >= before.dimensions[q.dimension].score - 1e-9
        order = [lv.id for lv in questionnaire.levels]
        assert order.index(after.stage) >= order.index(before.stage)

    check()


def test_not_applicable_is_left_out_not_counted_as_zero():
    full = {"net": "plant", "measures": ["none"], "rate": 5, "erp": 4, "erp_mes": "has", "staff": 3}
    with_na = score(MINI, {**full, "net": NA})
    assert with_na.questions["net"].status == "na"
    # base without net: measures 0/5 + rate 0/6; had N/A counted as zero it would be 0/15.
    assert with_na.dimensions["base"].max_points == 11
    assert score(MINI, {**full, "net": "none"}).dimensions["base"].max_points == 15
    # N/A on a question the firm is good at elsewhere: the score is the share of what applies.
    good = {"net": NA, "measures": ["fw", "backup", "policy"], "rate": 80}
    assert score(MINI, good).dimensions["base"].score == 100.0


def test_dimension_with_no_applicable_question_has_no_score_and_does_not_count():
    # erp N/A hides erp_mes; staff N/A; notes are unscored: nothing in "apps" applies.
    answers = {"net": "plant", "measures": ["fw", "backup"], "rate": 80, "erp": NA, "staff": NA}
    result = score(MINI, answers)
    assert result.dimensions["apps"].score is None
    assert result.dimensions["base"].score == pytest.approx(100 * 14 / 15, abs=0.01)
    assert result.total == result.dimensions["base"].score  # apps' weight drops out entirely
    assert result.stage == "high"


def test_a_gate_on_a_dimension_without_score_does_not_block():
    dims = {"base": DimensionResult("base", None, 0, 0), "apps": DimensionResult("apps", 90, 9, 10)}
    assert stage_for(MINI, 90, dims) == "high"
    dims["base"] = DimensionResult("base", 20, 2, 10)
    assert stage_for(MINI, 90, dims) == "low"


def test_hand_computed_example_and_stage_gates():
    answers = {
        "net": "office",
        "measures": ["fw", "backup", "policy"],
        "rate": 30,
        "erp": 2,
        "erp_mes": "none",
        "staff": 1,
    }
    result = score(MINI, answers)
    # base: 2 + min(6, cap 5) + 3 = 10 of 4 + 5 + 6 = 15 → 66.67
    assert result.dimensions["base"].score == pytest.approx(66.67)
    # apps: erp 2/4, erp_mes 0/3, staff 1/2 → 3/9 → 33.33
    assert result.dimensions["apps"].score == pytest.approx(33.33)
    assert result.total == pytest.approx(50.0, abs=0.01)
    assert result.stage == "mid"  # total 50 ≥ 40 and base 66.7 ≥ 30
    # Total high enough for "mid", but the gating dimension is too low: the stage stays "low".
    gated = score(
        MINI,
        {"net": "none", "measures": ["none"], "rate": 30, "erp": 4, "erp_mes": "has", "staff": 3},
    )
    assert gated.total >= 40 and gated.dimensions["base"].score < 30
    assert gated.stage == "low"


def test_hidden_questions_are_not_scored_and_their_answers_dropped():
    answers = {
        "net": "plant",
        "measures": ["fw"],
        "rate": 60,
        "erp": 1,
        "erp_mes": "has",
        "staff": 1,
    }
    result = score(MINI, answers)
    assert result.questions["erp_mes"].status == "hidden"
    assert result.dimensions["apps"].max_points == 4 + 2  # erp_mes not in the denominator
    assert "erp_mes" not in clean(MINI, answers)
    shown = score(MINI, {**answers, "erp": 2})
    assert shown.questions["erp_mes"].status == "scored"
    assert shown.questions["erp_mes"].points == 3


def test_unanswered_applicable_question_counts_zero_and_explains_it():
    result = score(MINI, {"net": "plant"})
    assert result.questions["measures"].status == "unanswered"
    assert result.questions["measures"].lost == 5
    assert result.costliest("base")[0].question_id == "rate"  # 6 points lost, the most


def test_result_round_trips_through_its_stored_form():
    result = score(MINI, {"net": "office", "measures": ["fw"], "rate": 20, "erp": 3, "staff": 4})
    assert Result.from_dict(result.to_dict()) == result


@pytest.mark.parametrize("name", ["lianghua-2025.1", "cloud-2025.1"])
def test_real_questionnaires_best_answers_score_100_and_reach_the_top_stage(name):
    questionnaire = QUESTIONNAIRES.get(name)
    if questionnaire is None:
        pytest.fail(f"questionnaires/{name}.yaml is missing")
    best = {}
    for q in questionnaire.scored_questions:
        if q.type in ("single", "ladder"):
            top = max(q.choices, key=lambda c: c.points)
            best[q.id] = int(top.value) if q.type == "ladder" else top.value
        elif q.type == "multi":
            best[q.id] = [c.value for c in q.choices if not c.exclusive]
        else:
            best[q.id] = q.max if question_points(q, q.max) == q.max_points else q.min
    result = score(questionnaire, best)
    assert result.total == 100
    assert result.stage == questionnaire.levels[-1].id
    worst = score(questionnaire, {})
    assert worst.total == 0
    assert worst.stage == questionnaire.levels[0].id


def _boundary_results(q: Questionnaire) -> list[Result]:
    """Results exactly at, and just below, every condition of every level of `q`."""

    def result(total=100.0, dims=None, rated=None) -> Result:
        scores = {d.id: (dims or {}).get(d.id, 100.0) for d in q.dimensions}
        dimensions = {k: DimensionResult(k, v, 0.0, 0.0) for k, v in scores.items()}
        return Result(q.id, q.version, total, "", dimensions, {}, dict(rated or {}))

    scenarios = list(q.scenarios)
    constrained = [s.id for s in scenarios if s.extra.get("constrained")]
    free = [s.id for s in scenarios if not s.extra.get("constrained")]
    out = []
    for level in q.levels:
        for c in level.conditions:
            if isinstance(c, levels.MinTotal):
                out += [result(total=float(c.minimum)), result(total=float(c.minimum) - 0.01)]
            elif isinstance(c, levels.Gates):
                for did, minimum in c.minimums:
                    out += [result(dims={did: minimum}), result(dims={did: minimum - 0.1})]
            elif isinstance(c, levels.ScenarioCount):
                exact = constrained[: c.constrained] + free[: c.count - c.constrained]
                short_c = constrained[: c.constrained - 1] + free[: c.count - c.constrained + 1]
                for chosen in (exact, exact[:-1], short_c):
                    out.append(result(rated={sid: c.level for sid in chosen}))
    return out


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
def test_the_quick_level_test_agrees_with_the_explained_one_at_every_boundary(name):
    """Scoring decides the level with `holds`; the result page explains it with `gaps`: at the
    exact edge of every condition, and just below it, both say the same."""
    q = QUESTIONNAIRES[name]
    boundary = _boundary_results(q)
    assert boundary or len(q.levels) == 1 or all(not lv.conditions for lv in q.levels)
    for result in boundary:
        for level in q.levels:
            quick = all(c.holds(q, result) for c in level.conditions)
            assert quick == (not levels.gaps(level, q, result)), (level.id, result.total)
