"""Locations, industries, 统一社会信用代码 and size classes (assessment.core.enterprise, .uscc)."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.core import enterprise as ent
from assessment.core import uscc
from assessment.core.enterprise import size_class
from assessment.core.uscc import (
    USCC_ALPHABET,
    make_uscc,
    normalize_uscc,
    random_uscc,
    validate_uscc,
)

EXAMPLE = "91350100M000100Y43"  # the worked example in the reference


def messages(raw):
    return [p.message for p in validate_uscc(raw)[1]]


def only_problem(raw):
    code, problems = validate_uscc(raw)
    assert len(problems) == 1, problems
    return problems[0]


def replace(code, position, char):
    """Replace the character at 1-based ``position``."""
    return code[: position - 1] + char + code[position:]


# --- valid codes ---------------------------------------------------------------------------


def test_worked_example_is_valid():
    assert validate_uscc(EXAMPLE) == (EXAMPLE, [])


def test_make_uscc_rebuilds_worked_example():
    assert make_uscc("350100", "M000100Y") == EXAMPLE


@pytest.mark.parametrize("seed", [0, 1, 2, 42, 2024, 330282])
def test_random_uscc_is_valid_cixi_enterprise(seed):
    code = random_uscc(random.Random(seed))
    assert validate_uscc(code) == (code, [])
    assert code.startswith("91330282")
    assert uscc.is_cixi_region(code)


def test_random_uscc_is_deterministic_per_rng():
    assert random_uscc(random.Random(7)) == random_uscc(random.Random(7))
    assert random_uscc(random.Random(7)) != random_uscc(random.Random(8))


def test_random_uscc_other_region():
    code = random_uscc(random.Random(3), region="330203")
    assert uscc.region_code(code) == "330203"
    assert not uscc.is_cixi_region(code)
    assert validate_uscc(code)[1] == []


def test_lower_case_and_surrounding_spaces_are_normalised():
    assert normalize_uscc("  91350100m000100y43\t") == EXAMPLE
    assert validate_uscc(" 91350100m000100y43 ") == (EXAMPLE, [])
    assert validate_uscc("\u300091350100M000100Y43\u3000") == (EXAMPLE, [])  # full-width space


def test_org_check_x_is_accepted():
    # GB 11714 check value 10 is written X, which the USCC alphabet has: find a body that needs it.
    body = next(b for b in (f"{n:08d}" for n in range(1000)) if uscc._org_check(b) == "X")
    code = make_uscc("330282", body)
    assert code[16] == "X"
    assert validate_uscc(code)[1] == []


def test_org_check_eleven_maps_to_zero():
    assert uscc._org_check("00000000") == "0"


# --- invalid codes, each with the rule that failed -----------------------------------------


def test_empty():
    assert messages("") == ["Enter the unified social credit code."]
    assert messages("   ") == ["Enter the unified social credit code."]
    assert messages(None) == ["Enter the unified social credit code."]


@pytest.mark.parametrize("raw", [EXAMPLE[:17], EXAMPLE + "1", "9"])
def test_wrong_length_names_actual_length(raw):
    problem = only_problem(raw)
    assert "18 characters" in problem.message
    assert problem.params == {"length": len(raw)}


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_never_used(letter):
    problem = only_problem(replace(EXAMPLE, 10, letter))
    assert "not allowed" in problem.message
    assert "I, O, S, V or Z" in problem.message
    assert problem.params == {"chars": letter}


def test_bad_characters_named_once_each_with_length():
    msgs = messages("9135-0100-M000100Y43")
    assert len(msgs) == 2
    assert "18 characters" in msgs[0]
    assert validate_uscc("91350100M0-0-0Y43")[1][1].params == {"chars": "-"}


def test_wrong_check_character_names_expected():
    problem = only_problem(replace(EXAMPLE, 18, "4"))
    assert "check character (the last one)" in problem.message
    assert problem.params == {"expected": "3", "given": "4"}


def test_wrong_org_check_names_expected():
    problem = only_problem(replace(EXAMPLE, 17, "5"))
    assert "Character 17" in problem.message
    assert problem.params == {"expected": "4", "given": "5"}


def test_wrong_org_body_character_is_caught():
    problem = only_problem(replace(EXAMPLE, 9, "N"))
    assert problem.params["given"] == "4"


@pytest.mark.parametrize("authority", ["1", "5", "Y"])
def test_authority_other_than_market_regulation(authority):
    code = make_uscc("350100", "M000100Y", authority=authority)
    problem = only_problem(code)
    assert "starts with 9" in problem.message
    assert problem.params == {"given": authority}


def test_unknown_authority():
    code = make_uscc("350100", "M000100Y")
    first17 = "2" + code[1:17]
    problem = only_problem(first17 + uscc._uscc_check(first17))
    assert "must be 1, 5, 9 or Y" in problem.message
    assert problem.params == {"given": "2"}


@pytest.mark.parametrize("kind", ["0", "4", "9", "A"])
def test_bad_kind_for_authority_9(kind):
    problem = only_problem(make_uscc("330282", "M000100Y", kind=kind))
    assert "second character" in problem.message
    assert problem.params == {"given": kind}


@pytest.mark.parametrize("kind", ["1", "2", "3"])
def test_good_kinds(kind):
    assert validate_uscc(make_uscc("330282", "M000100Y", kind=kind))[1] == []


def test_region_must_be_digits():
    first17 = "9133A282M000100Y4"
    problem = only_problem(first17 + uscc._uscc_check(first17))
    assert "6-digit region" in problem.message
    assert problem.params == {"given": "33A282"}


def test_make_uscc_rejects_bad_parts():
    for args in [("33028", "M000100Y"), ("330282", "M000100"), ("330282", "M000100O")]:
        with pytest.raises(ValueError):
            make_uscc(*args)


def test_region_code_of_short_input():
    assert uscc.region_code("9133") == ""
    assert not uscc.is_cixi_region("")
    assert uscc.is_cixi_region(" 91330282xxxx ")


@given(st.integers(min_value=0, max_value=2**32), st.integers(1, 18), st.data())
def test_random_uscc_valid_and_single_substitution_detected(seed, position, data):
    code = random_uscc(random.Random(seed))
    assert validate_uscc(code) == (code, [])
    other = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position - 1]]))
    assert validate_uscc(replace(code, position, other))[1] != []


# --- size classes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (1000, 40000, "large"),
        (999, 40000, "medium"),
        (1000, 39999, "medium"),
        (1000, 39999.99, "medium"),
        (300, 2000, "medium"),
        (299, 2000, "small"),
        (300, 1999, "small"),
        (999, 39999, "medium"),
        (20, 300, "small"),
        (19, 300, "micro"),
        (20, 299, "micro"),
        (20, 299.5, "micro"),
        (0, 0, "micro"),
        # mixed: one figure far above a class, the other below
        (10, 50000, "micro"),
        (2000, 100, "micro"),
        (2000, 3000, "medium"),
        (5000, 1500, "small"),
        (250, 100000, "small"),
        (500, 100000, "medium"),
    ],
)
def test_size_class_boundaries(employees, revenue, expected):
    assert size_class(employees, revenue) == expected


def test_size_class_rejects_negative():
    with pytest.raises(ValueError):
        size_class(-1, 100)


# --- locations and industries --------------------------------------------------------------


def test_towns():
    towns = ent.towns()
    assert len(towns) == 21
    assert len({t.code for t in towns}) == 21
    kinds = [t.kind for t in towns]
    assert kinds.count("subdistrict") == 6
    assert kinds.count("town") == 14
    assert kinds.count("zone") == 1
    assert ent.is_town("hangzhouwan")
    assert ent.town_label("hangzhouwan", "zh") == "杭州湾新区"
    assert {t.zh for t in towns if t.kind == "subdistrict"} == {
        "浒山街道", "古塘街道", "白沙路街道", "宗汉街道", "坎墩街道", "陆中湾街道",
    }  # fmt: skip
    assert all(t.code.isascii() and t.demo_weight > 0 for t in towns)


def test_industries():
    industries = ent.industries()
    assert len(industries) == 11
    assert len({i.code for i in industries}) == 11
    assert all(i.demo_weight > 0 for i in industries)
    assert ent.is_industry("appliances")
    assert not ent.is_industry("hushan")
    assert not ent.is_town("appliances")


def test_size_classes_list():
    assert [s.code for s in ent.size_classes()] == ["large", "medium", "small", "micro"]


@pytest.mark.parametrize(
    ("func", "code", "zh", "en"),
    [
        (ent.town_label, "hushan", "浒山街道", "Hushan Subdistrict"),
        (ent.town_label, "longshan", "龙山镇", "Longshan Town"),
        (ent.town_label, "hangzhouwan", "杭州湾新区", "Hangzhou Bay New Area"),
        (ent.industry_label, "appliances", "家用电器", "Household appliances"),
        (ent.industry_label, "bearings", "轴承及机械基础件", "Bearings and basic machine parts"),
        (ent.size_label, "micro", "微型", "Micro"),
        (ent.size_label, "large", "大型", "Large"),
    ],
)
def test_labels_in_both_languages(func, code, zh, en):
    assert func(code, "zh") == zh
    assert func(code, "zh_Hans_CN") == zh
    assert func(code, "en") == en


@pytest.mark.parametrize("func", [ent.town_label, ent.industry_label, ent.size_label])
def test_unknown_codes_never_raise(func):
    assert func("nowhere", "zh") == "nowhere"
    assert func("", "en") == ""
    assert func(None, None) is None
    assert func(["x"], "en") == ["x"]


def test_lists_are_copies():
    ent.towns().clear()
    assert len(ent.towns()) == 21
