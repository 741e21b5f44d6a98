"""Choices worked out from figures: a rate mapped to its official band, or a year-on-year change.

A single-choice question with `derive:` is computed from earlier `figure` questions on every save
(the user types the figures, never the choice); one with `check:` is chosen by the user (a
judgement, e.g. before and after a digital upgrade) and a choice that contradicts the figures is
flagged. One class per kind (`DERIVATIONS`); each reads its YAML, computes the choice exactly
(Decimal: exactly 10 % is in the band [0-10%], 10.01 % is not), says how (`Outcome.explanation`)
and names the figure at fault when the figures cannot give a rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from assessment.core.parsing import Problems
from assessment.core.questionnaire.model import Choice, Question
from assessment.core.text import N_, Problem

DIRECTIONS = ("worse", "flat", "better")


@dataclass
class Outcome:
    """What the figures say: the choice (None when a figure is missing or wrong), problems at the
    figures' fields, and how the choice follows from them."""

    value: str | None = None
    problems: dict[str, Problem] = field(default_factory=dict)
    explanation: Problem | None = None


def _number(answers: Mapping[str, Any], qid: str) -> Decimal | None:
    value = answers.get(qid)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(repr(value))


def _show(value: Decimal, places: int = 2) -> str:
    """A figure for the explanation: at most `places` decimals, no trailing zeros."""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ids(raw: Any) -> tuple[str, ...]:
    return (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else ()


class Derivation:
    """How a choice follows from figures."""

    kind: ClassVar[str]

    @classmethod
    def parse(cls, raw: dict, where: str, problems: Problems, choices: tuple[Choice, ...],
              earlier: Mapping[str, Question]) -> Derivation | None:  # fmt: skip
        """The derivation read from its YAML mapping (problems recorded)."""
        raise NotImplementedError

    @property
    def inputs(self) -> tuple[str, ...]:
        """The figure questions it reads."""
        raise NotImplementedError

    def compute(self, question: Question, answers: Mapping[str, Any]) -> Outcome:
        """The choice these answers give (see `Outcome`)."""
        raise NotImplementedError


def _check_inputs(ids: tuple[str, ...], where: str, problems: Problems, earlier) -> None:
    for qid in ids:
        if qid not in earlier or earlier[qid].type != "figure":
            problems.add(where, f"'{qid}' is not a figure question before this one")


@dataclass(frozen=True)
class Ratio(Derivation):
    """100 · numerator / denominator (the mean of several denominators). On a choice question, in
    % bands: the first band [0, upper₀], then (upperᵢ₋₁, upperᵢ] — one band per choice, in order;
    on a number question, the percentage itself (to 2 decimals, as shown)."""

    kind = "ratio"
    numerator: str
    denominators: tuple[str, ...]
    upper: tuple[Decimal, ...]

    @classmethod
    def parse(cls, raw, where, problems, choices, earlier):
        numerator, denominators = raw.get("numerator"), _ids(raw.get("denominator"))
        upper = raw.get("upper")
        _check_inputs((numerator, *denominators) if denominators else (numerator,), where,
                      problems, earlier)  # fmt: skip
        if not denominators:
            problems.add(where, "ratio needs a 'denominator'")
        if not choices and upper is None:  # a number question: the share itself
            return cls(numerator, denominators, ())
        if (not isinstance(upper, list) or len(upper) != len(choices)
                or any(isinstance(u, bool) or not isinstance(u, int | float) for u in upper)
                or upper != sorted(set(upper))):  # fmt: skip
            problems.add(where, "ratio needs 'upper': one increasing bound per choice")
            return None
        return cls(numerator, denominators, tuple(Decimal(repr(u)) for u in upper))

    @property
    def inputs(self):
        return (self.numerator, *self.denominators)

    def compute(self, question, answers):
        values = [_number(answers, qid) for qid in self.inputs]
        if any(v is None for v in values):
            return Outcome()
        top, bottom = values[0], sum(values[1:]) / len(self.denominators)
        if bottom == 0:
            message = N_("This is 0, so the share cannot be computed. Enter the actual figure (for a "
                         "firm with no production equipment of its own, this manufacturing "
                         "questionnaire does not fit; enter 1 to rate the rest: the share then "
                         "scores 0).")  # fmt: skip
            return Outcome(problems={qid: Problem(message) for qid in self.denominators})
        share = 100 * top / bottom
        limit = self.upper[-1] if self.upper else Decimal(100)
        if share > limit:
            problem = Problem(N_("This is more than %(whole)s (%(share)s%%): check both figures."),
                              {"whole": _label(question, self.denominators), "share": _show(share)})  # fmt: skip
            return Outcome(problems={self.numerator: problem})
        if not self.upper:
            value = float(share.quantize(Decimal("0.01")))
            explanation = Problem(N_("%(top)s ÷ %(bottom)s = %(share)s%%"),
                                  {"top": _show(top), "bottom": _show(bottom), "share": _show(share)})  # fmt: skip
            return Outcome(int(value) if value == int(value) else value, explanation=explanation)
        index = next(i for i, edge in enumerate(self.upper) if share <= edge)
        choice = question.choices[index]
        shown = _show(share, 4 if _show(share) in map(_show, self.upper) and share not in
                      self.upper else 2)  # fmt: skip
        explanation = Problem(N_("%(top)s ÷ %(bottom)s = %(share)s%% → %(band)s"),
                              {"top": _show(top), "bottom": _show(bottom), "share": shown,
                               "band": choice.label})  # fmt: skip
        return Outcome(choice.value, explanation=explanation)


def _label(question: Question, ids: tuple[str, ...]) -> Any:
    """The text of the first referenced figure (a bilingual Text, shown in the reader's language)."""
    return question.extra.get("labels", {}).get(ids[0], ids[0])


@dataclass(frozen=True)
class Change(Derivation):
    """A per-unit figure this year against last year (`now`, `before`: one figure, or a numerator
    and a denominator): higher, lower, or flat within `tolerance` % — mapped to the worse, flat and
    better choices according to which direction is `better`."""

    kind = "change"
    now: tuple[str, ...]
    before: tuple[str, ...]
    better: str
    tolerance: Decimal
    choices: tuple[str, str, str]  # worse, flat, better

    @classmethod
    def parse(cls, raw, where, problems, choices, earlier):
        now, before, mapping = _ids(raw.get("now")), _ids(raw.get("before")), raw.get("choices")
        _check_inputs(now + before, where, problems, earlier)
        values = {c.value for c in choices}
        if len(now) not in (1, 2) or len(before) != len(now):
            problems.add(
                where, "change needs 'now' and 'before': a figure, or [numerator, denominator]"
            )
        if raw.get("better") not in ("higher", "lower"):
            problems.add(where, "change needs 'better': higher or lower")
        tolerance = raw.get("tolerance", 0)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            problems.add(where, "'tolerance' must be a number ≥ 0 (a % change counted as flat)")
            tolerance = 0
        if not isinstance(mapping, dict) or any(mapping.get(d) not in values for d in DIRECTIONS):
            problems.add(where, "change needs 'choices' mapping worse, flat and better to choices")
            return None
        return cls(now, before, raw.get("better"), Decimal(repr(tolerance)),
                   tuple(mapping[d] for d in DIRECTIONS))  # fmt: skip

    @property
    def inputs(self):
        return self.now + self.before

    def _per_unit(self, question, answers, ids) -> tuple[Decimal | None, dict[str, Problem]]:
        values = [_number(answers, qid) for qid in ids]
        if any(v is None for v in values):
            return None, {}
        if len(values) == 1:
            return values[0], {}
        if values[1] == 0:
            message = N_(
                "This is 0, so the change per unit cannot be computed. Enter the actual figure."
            )
            return None, {ids[1]: Problem(message)}
        return values[0] / values[1], {}

    def compute(self, question, answers):
        now, problems = self._per_unit(question, answers, self.now)
        before, more = self._per_unit(question, answers, self.before)
        problems |= more
        if problems or now is None or before is None:
            return Outcome(problems=problems)
        change = None if before == 0 else 100 * (now - before) / before
        if change is None:  # from nothing: any amount is a rise
            moved = "flat" if now == 0 else "higher"
        else:
            moved = "flat" if abs(change) <= self.tolerance else "higher" if change > 0 else "lower"
        direction = moved if moved == "flat" else "better" if moved == self.better else "worse"
        value = self.choices[DIRECTIONS.index(direction)]
        shown = "—" if change is None else ("+" if change > 0 else "") + _show(change)
        explanation = Problem(N_("%(before)s → %(now)s (%(change)s%%) → %(choice)s"),
                              {"before": _show(before, 4), "now": _show(now, 4), "change": shown,
                               "choice": question.choice(value).label})  # fmt: skip
        return Outcome(value, explanation=explanation)


DERIVATIONS: dict[str, type[Derivation]] = {kind.kind: kind for kind in (Ratio, Change)}


def parse_derivation(raw: Any, where: str, problems: Problems, choices: tuple[Choice, ...],
                     earlier: Mapping[str, Question]) -> Derivation | None:  # fmt: skip
    """A `derive:` or `check:` mapping as a Derivation (None, with a problem, when invalid)."""
    kind = DERIVATIONS.get(raw.get("kind")) if isinstance(raw, dict) else None
    if kind is None:
        problems.add(where, f"derivation kind must be one of {', '.join(DERIVATIONS)}")
        return None
    return kind.parse(raw, where, problems, choices, earlier)


def describe_derivation(derivation: Derivation) -> dict[str, Any]:
    """A derivation for integrators (`questionnaire show`)."""
    out: dict[str, Any] = {"kind": derivation.kind}
    for name, value in vars(derivation).items():
        out[name] = [float(v) for v in value] if name == "upper" else (
            float(value) if isinstance(value, Decimal) else value)  # fmt: skip
    return out


def contradiction(question: Question, answers: Mapping[str, Any]) -> Problem | None:
    """For a `check` question: a warning when the chosen answer contradicts the figures."""
    check = question.extra.get("check")
    chosen = answers.get(question.id)
    if check is None or chosen is None:
        return None
    outcome = check.compute(question, answers)
    if outcome.value is None or outcome.value == chosen:
        return None
    return Problem(
        N_("You chose “%(chosen)s”, but your figures give “%(derived)s” (%(how)s). "
           "Please check the answer or the figures."),
        {"chosen": question.choice(chosen).label, "derived": question.choice(outcome.value).label,
         "how": outcome.explanation},
    )  # fmt: skip
