"""Load and validate questionnaire YAML files (format: questionnaires/SCHEMA.md).

`load_file` never raises on bad content: it returns every problem found, each naming the file,
the item (question, dimension, level or recommendation id) and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assessment.core import question_types
from assessment.core.questionnaire.expressions import check_expression
from assessment.core.questionnaire.model import (
    EFFORTS,
    HORIZONS,
    Dimension,
    Level,
    Question,
    Questionnaire,
    Recommendation,
)
from assessment.core.questionnaire.parsing import ID_RE, Problems, number, text


def _question(raw: dict, known: set[str], dimensions: set[str], problems: Problems) -> Question:
    qid = raw.get("id")
    where = f"question {qid}"
    kind = question_types.get(raw.get("type"))
    if kind is None:
        names = ", ".join(question_types.names())
        problems.add(where, f"type {raw.get('type')!r} must be one of {names}")
        kind = question_types.get("text")
    if raw.get("dimension") not in dimensions:
        problems.add(where, f"dimension {raw.get('dimension')!r} is not declared")
    fields: dict[str, Any] = {
        "id": qid,
        "dimension": raw.get("dimension", ""),
        "type": kind.name,
        "text": text(raw.get("text"), where, "text", problems),
        "help": text(raw.get("help"), where, "help", problems, required=False),
        "evidence": text(raw.get("evidence"), where, "evidence", problems, required=False),
        "required": bool(raw.get("required", kind.required_by_default)),
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
    fields.update(kind.parse(raw, where, problems))
    question = Question(**fields)
    kind.check(question, where, problems)
    return question


def _level_entry(raw: dict, index: int, dimensions: set[str], problems: Problems) -> Level:
    lid = raw.get("id")
    where = f"level {lid}"
    if not isinstance(lid, str) or not ID_RE.match(lid):
        problems.add(where, "id must be lower-case letters, digits or _")
    min_total = number(raw.get("min_total"), where, "min_total", problems, minimum=0) or 0.0
    gates = raw.get("gates") or {}
    if not isinstance(gates, dict):
        problems.add(where, "'gates' must map dimension ids to minimum scores")
        gates = {}
    for did, minimum in gates.items():
        if did not in dimensions:
            problems.add(where, f"gate on unknown dimension '{did}'")
        number(minimum, where, f"gates.{did}", problems, minimum=0)
    if index == 0 and (min_total != 0 or gates):
        problems.add(where, "the first level must have min_total 0 and no gates")
    return Level(
        id=lid or "",
        label=text(raw.get("label"), where, "label", problems),
        meaning=text(raw.get("meaning"), where, "meaning", problems),
        min_total=min_total,
        gates={k: float(v) for k, v in gates.items() if isinstance(v, int | float)},
    )


def _recommendation(raw: dict, questions: dict[str, Question], problems: Problems):
    rid = raw.get("id")
    where = f"recommendation {rid}"
    question = questions.get(raw.get("question"))
    target = raw.get("target")
    reason = None if question is None else question.kind.check_target(question, target)
    if question is None or not question.scored:
        problems.add(where, f"question {raw.get('question')!r} is not a scored question")
    elif reason is not None:
        problems.add(where, reason)
    else:
        target = question.kind.parse_target(question, target)
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
    )


def _unique_ids(items: list, kind: str, problems: Problems) -> list[dict]:
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
    problems = Problems(source)
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
                title=text(raw.get("title"), where, "title", problems),
                description=text(raw.get("description"), where, "description", problems, False),
                weight=number(raw.get("weight"), where, "weight", problems, minimum=0.001) or 1.0,
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
        title=text(data.get("title"), "title", "title", problems),
        description=text(data.get("description"), "description", "description", problems, False),
        method=text(data.get("method"), "method", "method", problems),
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
