"""Questionnaire files: validation reports every problem with file, item and reason."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from assessment.core.questionnaire.expressions import evaluate
from assessment.core.questionnaire.loader import load_file, parse
from assessment.core.questionnaire.registry import InvalidQuestionnaireError
from assessment.web.app import create_app

MINI_PATH = Path(__file__).parent / "data" / "mini-1.yaml"
MINI = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))


def problems_for(mutate) -> list[str]:
    data = copy.deepcopy(MINI)
    mutate(data)
    questionnaire, problems = parse(data, "bad.yaml")
    assert questionnaire is None
    return problems


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: question(d, "net").update(type="slider"),
            "question net: type 'slider' must be one of",
        ),
        (
            lambda d: question(d, "net").update(dimension="nowhere"),
            "question net: dimension 'nowhere' is not declared",
        ),
        (
            lambda d: question(d, "net")["choices"][1].update(value="none"),
            "question net choice 2: duplicate value 'none'",
        ),
        (lambda d: question(d, "net")["choices"][0].update(value="na"), "value 'na' is reserved"),
        (
            lambda d: question(d, "net")["choices"][0].update(points=-1),
            "'points' must be at least 0",
        ),
        (
            lambda d: question(d, "net").update(text={"zh": "网络"}),
            "question net: 'text' must have non-empty 'zh' and 'en'",
        ),
        (
            lambda d: question(d, "rate").update(min=100, max=0),
            "question rate: 'min' must be below 'max'",
        ),
        (
            lambda d: question(d, "rate")["bands"][1].update(up_to=5),
            "band 2: 'up_to' must increase",
        ),
        (
            lambda d: question(d, "rate")["bands"][2].update(up_to=100),
            "the last band must have no 'up_to'",
        ),
        (
            lambda d: question(d, "erp")["levels"].pop(),
            "ladder 'levels' must list values 0, 1, 2, 3, 4",
        ),
        (
            lambda d: question(d, "erp_mes").update(relevant="level(staff) >= 2"),
            "refers to 'staff', not an earlier question",
        ),
        (
            lambda d: question(d, "erp_mes").update(relevant="__import__('os').system('x')"),
            "relevant expression may not use Attribute",
        ),
        (
            lambda d: question(d, "erp_mes").update(relevant="erp >= "),
            "syntax error in relevant expression",
        ),
        (
            lambda d: d["questions"].append(copy.deepcopy(d["questions"][0])),
            "question net: duplicate id",
        ),
        (lambda d: d["levels"][0].update(min_total=10), "the first level must have min_total 0"),
        (
            lambda d: d["levels"][1]["gates"].update(nowhere=10),
            "gate on unknown dimension 'nowhere'",
        ),
        (
            lambda d: d["recommendations"][0].update(target="moon"),
            "recommendation r_net: target 'moon' is not a choice of net",
        ),
        (
            lambda d: d["recommendations"][0].update(effort="huge"),
            "effort must be one of low, medium, high",
        ),
        (lambda d: d["recommendations"][0].update(horizon=7), "horizon must be 3, 6 or 12"),
        (lambda d: d.update(version=2025.1), "version: must be a non-empty string"),
        (
            lambda d: (
                question(d, "measures").update(allow_na=True)
                or d["levels"][1]["gates"].update(base=1)
                or [question(d, q).update(allow_na=True) for q in ("net", "rate")]
            ),
            "is used in a gate but every question can be skipped",
        ),
    ],
)
def test_each_problem_is_reported_with_file_item_and_reason(mutate, expected):
    problems = problems_for(mutate)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("bad.yaml: ") for p in problems)


def test_every_problem_is_listed_not_only_the_first():
    def many(d):
        question(d, "net").update(type="slider")
        question(d, "rate").update(min=100, max=0)
        d["recommendations"][1].update(effort="huge")

    problems = problems_for(many)
    assert len(problems) >= 3


def test_unquoted_yes_no_gets_a_hint(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(
        MINI_PATH.read_text(encoding="utf-8").replace('en: "Yes"', "en: Yes"), encoding="utf-8"
    )
    _, problems = load_file(path)
    assert any("unquoted Yes/No/On/Off are booleans" in p for p in problems)


def test_broken_yaml_and_missing_file_are_reported(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    assert "invalid YAML" in load_file(bad)[1][0]
    assert "cannot be read" in load_file(tmp_path / "missing.yaml")[1][0]


def test_the_app_refuses_to_start_on_an_invalid_file(tmp_path, database_url):
    (tmp_path / "bad-1.yaml").write_text("id: bad\nversion: '1'\n", encoding="utf-8")
    with pytest.raises(InvalidQuestionnaireError) as info:
        create_app(
            {"TESTING": True, "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(tmp_path)}
        )
    assert "bad-1.yaml: dimensions: must be a non-empty list" in str(info.value)


def test_relevant_expressions_are_evaluated_safely():
    assert evaluate("selected(m, 'a') and level(l) >= 2", {"m": ["a"], "l": 3})
    assert not evaluate("n > 3", {})  # unanswered compares as None → error → not relevant
    assert not evaluate("__import__('os')", {})
    assert evaluate("answered(x) and x != 'na'", {"x": "has"})
    assert not evaluate("answered(x)", {"x": "na"})


def test_real_questionnaires_are_valid_and_big_enough():
    root = Path(__file__).resolve().parent.parent / "questionnaires"
    for name, dims in (
        (
            "lianghua-2025.1.yaml",
            ["foundation", "single_app", "integration", "innovation", "performance"],
        ),
        ("cloud-2025.1.yaml", ["iaas", "paas", "saas", "device_data", "effect_security"]),
    ):
        questionnaire, problems = load_file(root / name)
        assert problems == []
        assert [d.id for d in questionnaire.dimensions] == dims
        assert len(questionnaire.scored_questions) >= 30
        types = {q.type for q in questionnaire.questions}
        assert {"single", "multi", "number", "ladder"} <= types
        assert any(q.relevant for q in questionnaire.questions)
        assert any(q.allow_na for q in questionnaire.questions)
        for q in questionnaire.questions:
            assert q.help.zh and q.help.en, q.id
