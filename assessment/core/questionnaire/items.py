"""Reading one entry of a questionnaire file: a dimension, a question, a level, a recommendation.
Each reader records every problem it finds (see `parsing`) and returns the best item it can."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessment.core import question_types
from assessment.core.levels import Gates, MinTotal, parse_conditions
from assessment.core.parsing import ID_RE, Problems, number, points, text
from assessment.core.questionnaire.expressions import check_expression
from assessment.core.questionnaire.model import (
    EFFORTS,
    HORIZONS,
    Dimension,
    Level,
    Question,
    Recommendation,
)

DIMENSION_KINDS = ("points", "scenarios")


def dimension(raw: dict, weighted: bool, problems: Problems) -> Dimension:
    """A dimension: title, weight (weighted scoring only), kind and declared maximum."""
    where = f"dimension {raw['id']}"
    kind = raw.get("kind", "points")
    if kind not in DIMENSION_KINDS:
        problems.add(where, f"kind must be one of {', '.join(DIMENSION_KINDS)}")
    weight = 1.0
    if weighted or "weight" in raw:
        weight = number(raw.get("weight"), where, "weight", problems, minimum=0.001) or 1.0
    maximum = (
        points(raw["max_points"], where, problems, "max_points") if "max_points" in raw else None
    )
    return Dimension(
        id=raw["id"],
        title=text(raw.get("title"), where, "title", problems),
        description=text(raw.get("description"), where, "description", problems, False),
        weight=weight,
        kind=kind,
        max_points=maximum,
    )


def _official(raw: Any, where: str, problems: Problems) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str | int) for v in raw.values()):
        problems.add(where, "'official' must map names to texts")
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def question(
    raw: dict, earlier: dict[str, Question], dims: set[str], problems: Problems
) -> Question:
    """A question: the fields every type shares, then its type's own (`question_types`)."""
    qid = raw.get("id")
    where = f"question {qid}"
    kind = question_types.get(raw.get("type"))
    if kind is None:
        problems.add(
            where, f"type {raw.get('type')!r} must be one of {', '.join(question_types.names())}"
        )
        kind = question_types.get("text")
    if raw.get("dimension") not in dims:
        problems.add(where, f"dimension {raw.get('dimension')!r} is not declared")
    key = raw.get("key")
    if key is not None and (not isinstance(key, str) or not ID_RE.match(key)):
        problems.add(where, "'key' must be lower-case letters, digits or _")
    fields: dict[str, Any] = {
        "id": qid,
        "dimension": raw.get("dimension", ""),
        "type": kind.name,
        "text": text(raw.get("text"), where, "text", problems),
        "help": text(raw.get("help"), where, "help", problems, required=False),
        "evidence": text(raw.get("evidence"), where, "evidence", problems, required=False),
        "required": bool(raw.get("required", kind.required_by_default)),
        "allow_na": bool(raw.get("allow_na", False)),
        "official": _official(raw.get("official"), where, problems),
        "key": key if isinstance(key, str) else None,
    }
    relevant = raw.get("relevant")
    if relevant is not None:
        if not isinstance(relevant, str) or not relevant.strip():
            problems.add(where, "'relevant' must be a non-empty expression")
        else:
            for reason in check_expression(relevant, set(earlier)):
                problems.add(where, reason)
            fields["relevant"] = relevant.strip()
    fields.update(kind.parse(raw, where, problems, earlier))
    built = Question(**fields)
    kind.check(built, where, problems)
    return built


def level(raw: dict, index: int, dims: set[str], problems: Problems) -> Level:
    """A stage, tier or level with its conditions (`assessment.core.levels`)."""
    lid = raw.get("id")
    where = f"level {lid}"
    if not isinstance(lid, str) or not ID_RE.match(lid):
        problems.add(where, "id must be lower-case letters, digits or _")
    conditions = parse_conditions(raw, where, problems, dims)
    if index == 0 and conditions:
        problems.add(where, "the first level must have min_total 0 and no gates or scenarios")
    return Level(
        id=lid or "",
        label=text(raw.get("label"), where, "label", problems),
        meaning=text(raw.get("meaning"), where, "meaning", problems),
        conditions=conditions,
    )


def recommendation(raw: dict, questions: dict[str, Question], problems: Problems) -> Recommendation:
    """A recommendation: the question it improves and the answer it moves to."""
    rid = raw.get("id")
    where = f"recommendation {rid}"
    target_question = questions.get(raw.get("question"))
    target = raw.get("target")
    if target_question is None or not (target_question.scored or target_question.kind.rated):
        problems.add(where, f"question {raw.get('question')!r} is not a scored question")
    elif (reason := target_question.kind.check_target(target_question, target)) is not None:
        problems.add(where, reason)
    else:
        target = target_question.kind.parse_target(target_question, target)
    if raw.get("effort") not in EFFORTS:
        problems.add(where, f"effort must be one of {', '.join(EFFORTS)}")
    if raw.get("horizon") not in HORIZONS:
        problems.add(where, "horizon must be 3, 6 or 12 (months)")
    return Recommendation(
        id=rid or "",
        question=raw.get("question", ""),
        target=target,
        title=text(raw.get("title"), where, "title", problems),
        action=text(raw.get("action"), where, "action", problems),
        why=text(raw.get("why"), where, "why", problems),
        effort=raw.get("effort", "medium"),
        horizon=raw.get("horizon", 6),
        evidence=text(raw.get("evidence"), where, "evidence", problems, required=False),
    )


def gate_dimensions(levels: list[Level]) -> set[str]:
    """Every dimension some level gates on."""
    return {did for lv in levels for c in lv.conditions if isinstance(c, Gates)
            for did, _minimum in c.minimums}  # fmt: skip


def min_totals(levels: list[Level]) -> list[Decimal]:
    """Each level's minimum total (0 when it has none)."""
    return [next((c.minimum for c in lv.conditions if isinstance(c, MinTotal)), Decimal(0))
            for lv in levels]  # fmt: skip
