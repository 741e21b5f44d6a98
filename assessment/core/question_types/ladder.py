"""`ladder`: the maturity of one business area, L0–L4, each level with concrete wording."""

from __future__ import annotations

import re
from typing import Any

from assessment.core.parsing import Problems, points, text
from assessment.core.question_types.choice import SingleChoice, serialize_choices
from assessment.core.questionnaire.model import Choice, Question
from assessment.core.text import N_, Problem, Text

LEVELS = [0, 1, 2, 3, 4]
# Pages show the level ("L2") beside the label, so a label that repeats it is trimmed.
LADDER_PREFIX = re.compile(r"^\s*L[0-4](\s*[：:.\-–—]\s*|\s+)")


def parse_levels(raw: Any, where: str, problems: Problems) -> tuple[Choice, ...]:
    """The `levels` list: values 0–4 in order, points never decreasing."""
    values = [item.get("value") if isinstance(item, dict) else None for item in raw or []]
    if not isinstance(raw, list) or values != LEVELS:
        problems.add(where, "ladder 'levels' must list values 0, 1, 2, 3, 4 in order")
        return ()
    out, last = [], None
    for item in raw:
        lwhere = f"{where} level {item['value']}"
        score = points(item.get("points"), lwhere, problems)
        if last is not None and score < last:
            problems.add(lwhere, "points must not decrease from one level to the next")
        last = score
        label = text(item.get("label"), lwhere, "label", problems)
        zh, en = (LADDER_PREFIX.sub("", t, count=1) for t in (label.zh, label.en))
        out.append(Choice(value=str(item["value"]), label=Text(zh, en[:1].upper() + en[1:]),
                          points=score))  # fmt: skip
    return tuple(out)


class Ladder(SingleChoice):
    """One level of L0–L4; stored as the level number."""

    name = "ladder"

    def parse(self, raw, where, problems, earlier):
        return {"choices": parse_levels(raw.get("levels"), where, problems)}

    def parse_target(self, question: Question, target):
        return int(target)

    def coerce(self, question, raw):
        if isinstance(raw, list | dict) or question.choice(raw) is None:
            return None, Problem(N_("Please choose one of the listed answers."))
        return int(raw), None

    def describe(self, question, value, lang):
        return f"L{value} · {super().describe(question, value, lang)}"

    def example_answer(self, question, pick):
        return int(super().example_answer(question, pick))

    def demo_answer(self, question, maturity, rng):
        return int(super().demo_answer(question, maturity, rng))

    def serialize(self, question):
        return serialize_choices(question, key="levels", as_int=True)
