"""Choice questions: `single` (one choice) and `multi` (any number, points summed, capped)."""

from __future__ import annotations

import random
from typing import Any

from assessment.core.parsing import VALUE_RE, Problems, points, text
from assessment.core.question_types.base import Num, QuestionType, clip, exact
from assessment.core.question_types.derive import describe_derivation, parse_derivation
from assessment.core.questionnaire.model import NA, Choice, Question
from assessment.core.text import N_, Problem


def parse_choices(raw: Any, where: str, multi: bool, problems: Problems) -> tuple[Choice, ...]:
    """The `choices` list: at least two, unique lower-case values, points ≥ 0."""
    if not isinstance(raw, list) or len(raw) < 2:
        problems.add(where, "needs a list of at least two choices")
        return ()
    out, seen = [], set()
    for i, item in enumerate(raw):
        cwhere = f"{where} choice {i + 1}"
        if not isinstance(item, dict):
            problems.add(cwhere, "must be a mapping")
            continue
        value = item.get("value")
        if not isinstance(value, str) or not VALUE_RE.match(value):
            problems.add(cwhere, f"value {value!r} must be lower-case letters, digits or _")
            continue
        if value == NA:
            problems.add(cwhere, "value 'na' is reserved for 'not applicable' (use allow_na)")
        if value in seen:
            problems.add(cwhere, f"duplicate value '{value}'")
        seen.add(value)
        if item.get("exclusive") and not multi:
            problems.add(cwhere, "'exclusive' only applies to multi questions")
        out.append(
            Choice(
                value=value,
                label=text(item.get("label"), cwhere, "label", problems),
                points=points(item.get("points"), cwhere, problems),
                help=text(item.get("help"), cwhere, "help", problems, required=False),
                exclusive=bool(item.get("exclusive", False)),
                evidence=text(item.get("evidence"), cwhere, "evidence", problems, required=False),
            )
        )
    return tuple(out)


def serialize_choices(question: Question, key: str = "choices", as_int: bool = False) -> dict:
    """The choices with their labels, help and exact points."""
    return {
        key: [
            {
                "value": int(c.value) if as_int else c.value,
                "label": c.label.as_dict(),
                "help": c.help.as_dict(),
                "points": exact(c.points),
                **({"exclusive": c.exclusive} if question.type == "multi" else {}),
            }
            for c in question.choices
        ]
    }


def ranked(question: Question) -> list[Choice]:
    """The choices from fewest to most points."""
    return sorted(question.choices, key=lambda c: c.points)


class SingleChoice(QuestionType):
    """Exactly one of the listed choices."""

    name = "single"

    def parse(self, raw, where, problems, earlier):
        choices = parse_choices(raw.get("choices"), where, False, problems)
        extra: dict[str, Any] = {}
        for key in ("derive", "check"):  # computed from figures, or checked against them
            if key in raw:
                if "derive" in extra:
                    problems.add(where, "a derived choice needs no 'check'")
                extra[key] = parse_derivation(raw[key], f"{where} {key}", problems, choices,
                                              earlier)  # fmt: skip
        derivations = [d for d in extra.values() if d is not None]
        if derivations:  # the figures' texts, to name them in messages
            extra["labels"] = {qid: earlier[qid].text for d in derivations for qid in d.inputs
                               if qid in earlier}  # fmt: skip
        return {"choices": choices, "extra": extra}

    def check_target(self, question, target):
        if question.choice(target) is None:
            return f"target {target!r} is not a choice of {question.id}"
        return None

    def max_points(self, question, num: Num):
        return max(num(c.points) for c in question.choices)

    def points(self, question, answer, num: Num):
        choice = question.choice(answer)
        return num(choice.points) if choice else num(0)

    def coerce(self, question, raw):
        if isinstance(raw, list | dict) or question.choice(raw) is None:
            return None, Problem(N_("Please choose one of the listed answers."))
        return str(raw), None

    def describe(self, question, value, lang):
        choice = question.choice(value)
        return choice.label.get(lang) if choice else str(value)

    def example_answer(self, question, pick):
        order = ranked(question)
        return {"best": order[-1], "worst": order[0]}.get(pick, order[len(order) // 2]).value

    def demo_answer(self, question, maturity, rng: random.Random):
        order = ranked(question)
        return order[min(len(order) - 1, int(maturity * len(order)))].value

    def serialize(self, question):
        out = serialize_choices(question)
        for key in ("derive", "check"):
            if question.extra.get(key) is not None:
                out[key] = describe_derivation(question.extra[key])
        return out


class MultiChoice(QuestionType):
    """Any of the listed choices; points add up (capped by `max_points`); an `exclusive` choice
    ("none of these") cannot be combined with others."""

    name = "multi"

    def parse(self, raw, where, problems, earlier):
        fields: dict[str, Any] = {
            "choices": parse_choices(raw.get("choices"), where, True, problems)
        }
        if "max_points" in raw:
            fields["max_points_cap"] = points(raw["max_points"], where, problems, "max_points")
        return fields

    def check_target(self, question, target):
        if not isinstance(target, list) or any(question.choice(v) is None for v in target):
            return f"target must be a list of choices of {question.id}"
        return None

    def max_points(self, question, num: Num):
        total = sum((num(c.points) for c in question.choices if not c.exclusive), num(0))
        best_exclusive = max((num(c.points) for c in question.choices if c.exclusive),
                             default=num(0))  # fmt: skip
        best = max(total, best_exclusive)
        cap = question.max_points_cap
        return min(best, num(cap)) if cap is not None else best

    def points(self, question, answer, num: Num):
        chosen = [question.choice(v) for v in answer]
        total = sum((num(c.points) for c in chosen if c is not None), num(0))
        cap = question.max_points_cap
        return min(total, num(cap)) if cap is not None else total

    def improve(self, question, current, target):
        # The recommended choices are added; an exclusive "none of these" is dropped.
        kept = [] if current in (None, NA) else [
            v for v in current if question.choice(v) and not question.choice(v).exclusive
        ]  # fmt: skip
        wanted = set(kept) | set(target)
        return [c.value for c in question.choices if c.value in wanted]

    def coerce(self, question, raw):
        values = raw if isinstance(raw, list) else [raw]
        if any(not isinstance(v, str) or question.choice(v) is None for v in values):
            return None, Problem(N_("Please choose only from the listed answers."))
        chosen = [c for c in question.choices if c.value in values]  # file order, no duplicates
        exclusive = next((c for c in chosen if c.exclusive), None)
        if len(chosen) > 1 and exclusive is not None:
            return None, Problem(N_("'%(choice)s' cannot be combined with other answers."),
                                 {"choice": exclusive.label})  # fmt: skip
        return [c.value for c in chosen], None

    def describe(self, question, value, lang):
        labels = [question.choice(v).label.get(lang) for v in value if question.choice(v)]
        return "；".join(labels) if lang == "zh" else "; ".join(labels)

    def example_answer(self, question, pick):
        plain = [c.value for c in question.choices if not c.exclusive]
        if pick == "best":
            return plain
        if pick == "worst":
            none = [c.value for c in question.choices if c.exclusive]
            return none[:1] or [ranked(question)[0].value]
        return plain[: max(1, len(plain) // 2)]

    def demo_answer(self, question, maturity, rng: random.Random):
        options = [c for c in question.choices if not c.exclusive]
        chosen = [c.value for c in options if rng.random() < clip(maturity * 1.1 - 0.05)]
        exclusive = [c.value for c in question.choices if c.exclusive]
        return chosen or exclusive[:1] or [options[0].value]

    def serialize(self, question):
        cap = question.max_points_cap
        return {**serialize_choices(question),
                "max_points_cap": exact(cap) if cap is not None else None}  # fmt: skip
