"""Load and validate questionnaire YAML files (format: questionnaires/SCHEMA.md).

`load_file` never raises on bad content: it returns every problem found, each naming the file,
the item (question, dimension, level or recommendation id) and the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from assessment.core.questionnaire.expressions import check_expression
from assessment.core.questionnaire.model import (
    EFFORTS,
    EMPTY_TEXT,
    HORIZONS,
    NA,
    QUESTION_TYPES,
    Band,
    Choice,
    Dimension,
    Level,
    Question,
    Questionnaire,
    Recommendation,
    Text,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
VALUE_RE = re.compile(r"^[a-z0-9_]+$")
LADDER_PREFIX = re.compile(r"^\s*L[0-4](\s*[：:.\-–—]\s*|\s+)")


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, reason: str) -> None:
        self.items.append(f"{self.source}: {where}: {reason}")


def _text(raw: Any, where: str, field: str, problems: _Problems, required: bool = True) -> Text:
    if raw is None and not required:
        return EMPTY_TEXT
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) and raw.get(k).strip() for k in ("zh", "en")
    ):
        hint = ""
        if isinstance(raw, dict) and any(isinstance(raw.get(k), bool) for k in ("zh", "en")):
            hint = " (unquoted Yes/No/On/Off are booleans in YAML: quote them)"
        problems.add(where, f"'{field}' must have non-empty 'zh' and 'en' texts{hint}")
        return EMPTY_TEXT
    return Text(raw["zh"].strip(), raw["en"].strip())


def _number(raw: Any, where: str, field: str, problems: _Problems, minimum: float | None = None):
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        problems.add(where, f"'{field}' must be a number")
        return None
    if minimum is not None and raw < minimum:
        problems.add(where, f"'{field}' must be at least {minimum}")
    return float(raw)


def _choices(raw: Any, where: str, multi: bool, problems: _Problems) -> tuple[Choice, ...]:
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
        points = _number(item.get("points"), cwhere, "points", problems, minimum=0)
        if item.get("exclusive") and not multi:
            problems.add(cwhere, "'exclusive' only applies to multi questions")
        out.append(
            Choice(
                value=value,
                label=_text(item.get("label"), cwhere, "label", problems),
                points=points or 0.0,
                help=_text(item.get("help"), cwhere, "help", problems, required=False),
                exclusive=bool(item.get("exclusive", False)),
            )
        )
    return tuple(out)


def _ladder(raw: Any, where: str, problems: _Problems) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or [
        item.get("value") if isinstance(item, dict) else None for item in raw
    ] != [0, 1, 2, 3, 4]:
        problems.add(where, "ladder 'levels' must list values 0, 1, 2, 3, 4 in order")
        return ()
    out, last = [], -1.0
    for item in raw:
        lwhere = f"{where} level {item['value']}"
        points = _number(item.get("points"), lwhere, "points", problems, minimum=0) or 0.0
        if points < last:
            problems.add(lwhere, "points must not decrease from one level to the next")
        last = points
        label = _text(item.get("label"), lwhere, "label", problems)
        # Pages show the level ("L2") beside the label, so a label that repeats it is trimmed.
        zh, en = (LADDER_PREFIX.sub("", t, count=1) for t in (label.zh, label.en))
        label = Text(zh, en[:1].upper() + en[1:])
        out.append(Choice(value=str(item["value"]), label=label, points=points))
    return tuple(out)


def _bands(raw: Any, where: str, problems: _Problems) -> tuple[Band, ...]:
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
        points = _number(item.get("points"), bwhere, "points", problems, minimum=0) or 0.0
        up_to = item.get("up_to")
        if last and up_to is not None:
            problems.add(bwhere, "the last band must have no 'up_to' (it takes every larger value)")
        if not last:
            up_to = _number(up_to, bwhere, "up_to", problems)
            if up_to is not None and previous is not None and up_to <= previous:
                problems.add(bwhere, "'up_to' must increase from band to band")
            previous = up_to if up_to is not None else previous
        out.append(Band(up_to=None if last else up_to, points=points))
    return tuple(out)


def _question(raw: dict, known: set[str], dimensions: set[str], problems: _Problems) -> Question:
    qid = raw.get("id")
    where = f"question {qid}"
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        problems.add(where, f"type {qtype!r} must be one of {', '.join(QUESTION_TYPES)}")
        qtype = "text"
    if raw.get("dimension") not in dimensions:
        problems.add(where, f"dimension {raw.get('dimension')!r} is not declared")
    fields: dict[str, Any] = {
        "id": qid,
        "dimension": raw.get("dimension", ""),
        "type": qtype,
        "text": _text(raw.get("text"), where, "text", problems),
        "help": _text(raw.get("help"), where, "help", problems, required=False),
        "evidence": _text(raw.get("evidence"), where, "evidence", problems, required=False),
        "required": bool(raw.get("required", qtype != "text")),
        "allow_na": bool(raw.get("allow_na", False)),
    }
    relevant = raw.get("relevant")
    if relevant is not None:
        if not isinstance(relevant, str) or not relevant.strip():
            problems.add(where, "'relevant' must be a non-empty expression")
        else:
            for reason in check_expression(relevant, known):
                problems.add(where, reason)
            fields["relevant"] = relevant.strip()
    if qtype in ("single", "multi"):
        fields["choices"] = _choices(raw.get("choices"), where, qtype == "multi", problems)
        if qtype == "multi" and "max_points" in raw:
            fields["max_points_cap"] = _number(raw["max_points"], where, "max_points", problems, 0)
    elif qtype == "ladder":
        fields["choices"] = _ladder(raw.get("levels"), where, problems)
    elif qtype == "number":
        lo = _number(raw.get("min"), where, "min", problems)
        hi = _number(raw.get("max"), where, "max", problems)
        if lo is not None and hi is not None and lo >= hi:
            problems.add(where, "'min' must be below 'max'")
        fields.update(
            min=lo,
            max=hi,
            integer=bool(raw.get("integer", False)),
            unit=_text(raw.get("unit"), where, "unit", problems, required=False),
            bands=_bands(raw.get("bands"), where, problems),
        )
    elif qtype == "text":
        max_length = raw.get("max_length", 1000)
        if not isinstance(max_length, int) or not 1 <= max_length <= 10000:
            problems.add(where, "'max_length' must be a whole number from 1 to 10000")
            max_length = 1000
        fields["max_length"] = max_length
    question = Question(**fields)
    has_options = fields.get("choices", True) and fields.get("bands", True)
    if question.scored and has_options and question.max_points <= 0:
        problems.add(where, "a scored question must be able to earn points")
    return question


def _level_entry(raw: dict, index: int, dimensions: set[str], problems: _Problems) -> Level:
    lid = raw.get("id")
    where = f"level {lid}"
    if not isinstance(lid, str) or not ID_RE.match(lid):
        problems.add(where, "id must be lower-case letters, digits or _")
    min_total = _number(raw.get("min_total"), where, "min_total", problems, minimum=0) or 0.0
    gates = raw.get("gates") or {}
    if not isinstance(gates, dict):
        problems.add(where, "'gates' must map dimension ids to minimum scores")
        gates = {}
    for did, minimum in gates.items():
        if did not in dimensions:
            problems.add(where, f"gate on unknown dimension '{did}'")
        _number(minimum, where, f"gates.{did}", problems, minimum=0)
    if index == 0 and (min_total != 0 or gates):
        problems.add(where, "the first level must have min_total 0 and no gates")
    return Level(
        id=lid or "",
        label=_text(raw.get("label"), where, "label", problems),
        meaning=_text(raw.get("meaning"), where, "meaning", problems),
        min_total=min_total,
        gates={k: float(v) for k, v in gates.items() if isinstance(v, int | float)},
    )


def _recommendation(raw: dict, questions: dict[str, Question], problems: _Problems):
    rid = raw.get("id")
    where = f"recommendation {rid}"
    question = questions.get(raw.get("question"))
    target = raw.get("target")
    if question is None or not question.scored:
        problems.add(where, f"question {raw.get('question')!r} is not a scored question")
    elif question.type in ("single", "ladder") and question.choice(target) is None:
        problems.add(where, f"target {target!r} is not a choice of {question.id}")
    elif question.type == "multi" and (
        not isinstance(target, list) or any(question.choice(v) is None for v in target)
    ):
        problems.add(where, f"target must be a list of choices of {question.id}")
    elif question.type == "number" and (
        isinstance(target, bool)
        or not isinstance(target, int | float)
        or not question.min <= target <= question.max
    ):
        problems.add(where, f"target must be a number within the bounds of {question.id}")
    if raw.get("effort") not in EFFORTS:
        problems.add(where, f"effort must be one of {', '.join(EFFORTS)}")
    if raw.get("horizon") not in HORIZONS:
        problems.add(where, "horizon must be 3, 6 or 12 (months)")
    if question is not None and question.type == "ladder" and target is not None:
        target = int(target)
    return Recommendation(
        id=rid or "",
        question=raw.get("question", ""),
        target=target,
        title=_text(raw.get("title"), where, "title", problems),
        action=_text(raw.get("action"), where, "action", problems),
        why=_text(raw.get("why"), where, "why", problems),
        effort=raw.get("effort", "medium"),
        horizon=raw.get("horizon", 6),
    )


def _unique_ids(items: list, kind: str, problems: _Problems) -> list[dict]:
    valid, seen = [], set()
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            problems.add(f"{kind} {i + 1}", "must be a mapping")
            continue
        rid = raw.get("id")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            problems.add(f"{kind} {i + 1}", f"id {rid!r} must be lower-case letters, digits or _")
            continue
        if rid in seen:
            problems.add(f"{kind} {rid}", "duplicate id")
            continue
        seen.add(rid)
        valid.append(raw)
    return valid


def parse(data: Any, source: str) -> tuple[Questionnaire | None, list[str]]:
    """Build a questionnaire from parsed YAML; returns (questionnaire or None, problems)."""
    problems = _Problems(source)
    if not isinstance(data, dict):
        problems.add("file", "must be a mapping with id, version, dimensions, levels, questions")
        return None, problems.items
    qn_id, version = data.get("id"), data.get("version")
    if not isinstance(qn_id, str) or not ID_RE.match(qn_id):
        problems.add("id", "must be lower-case letters, digits or _")
    if not isinstance(version, str) or not version.strip():
        problems.add("version", 'must be a non-empty string (quote it: "2025.1")')
    sections = {}
    for key in ("dimensions", "levels", "questions"):
        if not isinstance(data.get(key), list) or not data.get(key):
            problems.add(key, "must be a non-empty list")
        sections[key] = _unique_ids(data.get(key) or [], key[:-1], problems)
    dims = []
    for raw in sections["dimensions"]:
        where = f"dimension {raw['id']}"
        dims.append(
            Dimension(
                id=raw["id"],
                title=_text(raw.get("title"), where, "title", problems),
                description=_text(raw.get("description"), where, "description", problems, False),
                weight=_number(raw.get("weight"), where, "weight", problems, minimum=0.001) or 1.0,
            )
        )
    dim_ids = {d.id for d in dims}
    questions, known = [], set()
    for raw in sections["questions"]:
        questions.append(_question(raw, known, dim_ids, problems))
        known.add(raw["id"])
    for d in dims:
        if not any(q.dimension == d.id and q.scored for q in questions):
            problems.add(f"dimension {d.id}", "has no scored question")
    levels = [_level_entry(raw, i, dim_ids, problems) for i, raw in enumerate(sections["levels"])]
    # A gate must be able to bite: its dimension needs a question that is always asked and
    # cannot be answered "not applicable" (else a firm could N/A its way past the gate).
    for did in sorted({d for lv in levels for d in lv.gates}):
        if did in dim_ids and not any(
            q.dimension == did and q.scored and not q.allow_na and not q.relevant for q in questions
        ):
            problems.add(f"dimension {did}", "is used in a gate but every question can be skipped")
    by_id = {q.id: q for q in questions}
    recs = [
        _recommendation(raw, by_id, problems)
        for raw in _unique_ids(data.get("recommendations") or [], "recommendation", problems)
    ]
    if problems.items:
        return None, problems.items
    questionnaire = Questionnaire(
        id=qn_id,
        version=version.strip(),
        title=_text(data.get("title"), "title", "title", problems),
        description=_text(data.get("description"), "description", "description", problems, False),
        method=_text(data.get("method"), "method", "method", problems),
        dimensions=tuple(dims),
        levels=tuple(levels),
        questions=tuple(questions),
        recommendations=tuple(recs),
        source=source,
    )
    return (None, problems.items) if problems.items else (questionnaire, [])


def load_file(path: str | Path) -> tuple[Questionnaire | None, list[str]]:
    """Read and validate one questionnaire file; returns (questionnaire or None, problems)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{path}: file: cannot be read ({exc.strerror})"]
    except yaml.YAMLError as exc:
        return None, [f"{path}: file: invalid YAML ({exc})"]
    return parse(data, str(path))
