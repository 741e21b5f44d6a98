"""`number`: a count, a rate or a percentage, scored by bands."""

from __future__ import annotations

import math
from typing import Any

from assessment.core.parsing import Problems, number, points, text
from assessment.core.question_types.base import Num, QuestionType, clip, exact
from assessment.core.question_types.derive import describe_derivation, parse_derivation
from assessment.core.questionnaire.model import Band, Question
from assessment.core.text import N_, Problem


def parse_bands(raw: Any, where: str, problems: Problems) -> tuple[Band, ...]:
    """Score bands: `up_to` increasing, the last band without `up_to` (every larger value)."""
    if not isinstance(raw, list) or not raw:
        problems.add(where, "number questions need score 'bands'")
        return ()
    out, previous = [], None
    for i, item in enumerate(raw):
        bwhere = f"{where} band {i + 1}"
        last = i == len(raw) - 1
        if not isinstance(item, dict):
            problems.add(bwhere, "must be a mapping")
            continue
        score = points(item.get("points"), bwhere, problems)
        up_to = item.get("up_to")
        if last and up_to is not None:
            problems.add(bwhere, "the last band must have no 'up_to' (it takes every larger value)")
        if not last:
            up_to = number(up_to, bwhere, "up_to", problems)
            if up_to is not None and previous is not None and up_to <= previous:
                problems.add(bwhere, "'up_to' must increase from band to band")
            previous = up_to if up_to is not None else previous
        out.append(Band(up_to=None if last else up_to, points=score))
    return tuple(out)


def plain(value: float) -> str:
    """A bound or value as typed: 5.0 as "5", 2.5 as "2.5"."""
    return str(int(value)) if value == int(value) else str(value)


def read_number(raw: Any) -> float | None:
    """A finite number from JSON or form text ("1,200", "35%" and full-width commas allowed)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        cleaned = raw.strip().replace(",", "").replace("，", "").rstrip("%％").strip()
        try:
            value = float(cleaned)
        except ValueError:
            return None
    elif isinstance(raw, int | float):
        value = float(raw)
    else:
        return None
    return value if math.isfinite(value) else None


class Number(QuestionType):
    """A number within inclusive bounds; points from the first band whose `up_to` ≥ the value."""

    name = "number"

    def parse(self, raw, where, problems, earlier):
        lo = number(raw.get("min"), where, "min", problems)
        hi = number(raw.get("max"), where, "max", problems)
        if lo is not None and hi is not None and lo >= hi:
            problems.add(where, "'min' must be below 'max'")
        fields = {
            "min": lo,
            "max": hi,
            "integer": bool(raw.get("integer", False)),
            "unit": text(raw.get("unit"), where, "unit", problems, required=False),
            "bands": parse_bands(raw.get("bands"), where, problems),
        }
        if "derive" in raw:  # a share computed from figures (e.g. digital machines ÷ machines)
            derivation = parse_derivation(raw["derive"], f"{where} derive", problems, (), earlier)
            fields["extra"] = {"derive": derivation,
                               "labels": {q: earlier[q].text for q in (derivation.inputs if
                                          derivation else ()) if q in earlier}}  # fmt: skip
        return fields

    def check_target(self, question, target):
        if (isinstance(target, bool) or not isinstance(target, int | float)
                or not question.min <= target <= question.max):  # fmt: skip
            return f"target must be a number within the bounds of {question.id}"
        return None

    def max_points(self, question, num: Num):
        return max(num(b.points) for b in question.bands)

    def points(self, question, answer, num: Num):
        for band in question.bands:
            if band.up_to is None or answer <= band.up_to:
                return num(band.points)
        return num(0)

    def coerce(self, question, raw):
        value = read_number(raw)
        if value is None:
            return None, Problem(N_("Please enter a number."))
        if question.integer and value != int(value):
            return None, Problem(N_("Please enter a whole number."))
        if value < question.min or value > question.max:
            return None, Problem(N_("Please enter a value from %(min)s to %(max)s."),
                                 {"min": plain(question.min), "max": plain(question.max)})  # fmt: skip
        return (int(value) if question.integer or value == int(value) else value), None

    def describe(self, question, value, lang):
        unit = question.unit.get(lang)
        figure = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{figure}%" if unit == "%" else f"{figure} {unit}".strip()

    def example_answer(self, question: Question, pick):
        value = {"best": question.max, "worst": question.min}.get(
            pick, (question.min + question.max) / 2
        )
        return int(value) if question.integer or value == int(value) else value

    def demo_answer(self, question, maturity, rng):
        bands = question.bands
        index = min(len(bands) - 1, int(clip(maturity) * len(bands)))
        low = question.min if index == 0 else bands[index - 1].up_to
        high = bands[index].up_to if bands[index].up_to is not None else question.max
        low, high = max(question.min, low), min(question.max, high)
        value = low + (high - low) * rng.random() if high > low else low
        return int(round(value)) if question.integer else round(value, 1)

    def serialize(self, question):
        out = {
            "min": question.min,
            "max": question.max,
            "integer": question.integer,
            "unit": question.unit.as_dict(),
            "bands": [{"up_to": b.up_to, "points": exact(b.points)} for b in question.bands],
        }
        if question.extra.get("derive") is not None:
            out["derive"] = describe_derivation(question.extra["derive"])
        return out
