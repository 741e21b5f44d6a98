"""`figure`: a number the official form asks for (a count, an amount), never scored itself;
derived choices (`derive.py`) and consistency checks read it."""

from __future__ import annotations

from assessment.core.parsing import number, text
from assessment.core.question_types.number import Number


class Figure(Number):
    """A number within inclusive bounds, with a unit; no points."""

    name = "figure"
    scored = False

    def parse(self, raw, where, problems, earlier):
        lo = number(raw.get("min"), where, "min", problems)
        hi = number(raw.get("max"), where, "max", problems)
        if lo is not None and hi is not None and lo >= hi:
            problems.add(where, "'min' must be below 'max'")
        if "bands" in raw:
            problems.add(where, "a figure is never scored: no 'bands'")
        return {"min": lo, "max": hi, "integer": bool(raw.get("integer", False)),
                "unit": text(raw.get("unit"), where, "unit", problems, required=False)}  # fmt: skip

    def check(self, question, where, problems):
        return None

    def check_target(self, question, target):
        return "is not a scored question"

    def demo_answer(self, question, maturity, rng):
        value = question.min + (min(question.max, 1000) - question.min) * rng.random()
        return int(round(value)) if question.integer else round(value, 1)

    def serialize(self, question):
        return {"min": question.min, "max": question.max, "integer": question.integer,
                "unit": question.unit.as_dict()}  # fmt: skip
