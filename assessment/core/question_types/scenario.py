"""`scenario`: a business scenario rated against official level texts (0 = below level 1 or not
applicable, then 1–4). No points: level rules count the scenarios at or above a level, 约束性
(`constrained`) ones separately."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessment.core.parsing import Problems, text
from assessment.core.question_types.choice import serialize_choices
from assessment.core.question_types.ladder import Ladder
from assessment.core.questionnaire.model import Choice, Question
from assessment.core.text import Text

SCENARIO_LEVELS = [0, 1, 2, 3, 4]


def parse_scenario_levels(raw: Any, where: str, problems: Problems) -> tuple[Choice, ...]:
    """Levels 0–4, each with its label (the official text) and an optional evidence hint."""
    values = [item.get("value") if isinstance(item, dict) else None for item in raw or []]
    if not isinstance(raw, list) or values != SCENARIO_LEVELS:
        problems.add(where, "scenario 'levels' must list values 0, 1, 2, 3, 4 in order")
        return ()
    return tuple(
        Choice(value=str(item["value"]), points=Decimal(0),
               label=text(item.get("label"), f"{where} level {item['value']}", "label", problems),
               evidence=text(item.get("evidence"), where, "evidence", problems, required=False))
        for item in raw
    )  # fmt: skip


class Scenario(Ladder):
    """One of levels 0–4, stored as the number; rated, not scored."""

    name = "scenario"
    scored = False
    rated = True

    def parse(self, raw, where, problems, earlier):
        constrained = raw.get("constrained", False)
        if not isinstance(constrained, bool):
            problems.add(where, "'constrained' must be true or false")
        return {"choices": parse_scenario_levels(raw.get("levels"), where, problems),
                "extra": {"constrained": constrained is True}}  # fmt: skip

    def check(self, question, where, problems):
        return None

    def check_target(self, question: Question, target):
        if isinstance(target, bool) or target not in (1, 2, 3, 4):
            return f"target must be a level from 1 to 4 of {question.id}"
        return None

    def describe(self, question, value, lang):
        label = question.choice(value).label.get(lang) if question.choice(value) else str(value)
        return label if int(value) == 0 else f"L{value} · {label}"

    def example_answer(self, question, pick):
        return {"best": 4, "worst": 0}.get(pick, 2)

    def demo_answer(self, question, maturity, rng):
        return min(4, int(maturity * 5))

    def serialize(self, question):
        out = serialize_choices(question, key="levels", as_int=True)
        for level, choice in zip(out["levels"], question.choices, strict=True):
            del level["points"]
            level["evidence"] = choice.evidence.as_dict()
        return {**out, "constrained": question.extra.get("constrained", False)}


def constrained_label(question: Question) -> Text:
    """约束性 / 指导性 as a bilingual text."""
    if question.extra.get("constrained"):
        return Text("约束性", "constrained")
    return Text("指导性", "guiding")
