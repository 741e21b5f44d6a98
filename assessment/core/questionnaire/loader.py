"""Load and validate questionnaire YAML files (format: questionnaires/SCHEMA.md).

`load_file` never raises on bad content: it returns every problem found, each naming the file,
the item (question, dimension, level or recommendation id) and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assessment.core.parsing import ID_RE, Problems, text
from assessment.core.questionnaire import items
from assessment.core.questionnaire.model import Question, Questionnaire

SCORING_KINDS = ("weighted", "points")


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
    scoring = (data.get("scoring") or {}).get("kind", "weighted")
    if scoring not in SCORING_KINDS:
        problems.add("scoring", f"kind must be one of {', '.join(SCORING_KINDS)}")
    sections = {}
    for key in ("dimensions", "levels", "questions"):
        if not isinstance(data.get(key), list) or not data.get(key):
            problems.add(key, "must be a non-empty list")
        sections[key] = _unique_ids(data.get(key) or [], key[:-1], problems)
    dims = [items.dimension(raw, scoring == "weighted", problems) for raw in sections["dimensions"]]
    dim_ids = {d.id for d in dims}
    questions: dict[str, Question] = {}
    for raw in sections["questions"]:
        questions[raw["id"]] = items.question(raw, dict(questions), dim_ids, problems)
    levels = [items.level(raw, i, dim_ids, problems) for i, raw in enumerate(sections["levels"])]
    recs = [
        items.recommendation(raw, questions, problems)
        for raw in _unique_ids(data.get("recommendations") or [], "recommendation", problems)
    ]
    _check_whole(dims, list(questions.values()), levels, recs, problems)
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
        questions=tuple(questions.values()),
        recommendations=tuple(recs),
        source=source,
        scoring=scoring,
        note=text(data.get("note"), "note", "note", problems, required=False),
        comparable_with=_comparable_with(data.get("comparable_with"), version, problems),
    )
    return (None, problems.items) if problems.items else (questionnaire, [])


def _comparable_with(raw: Any, version: Any, problems: Problems) -> tuple[str, ...]:
    """The earlier versions this one declares comparable (whether they are is the registry's
    check: it needs the other files)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        problems.add(
            "comparable_with", 'must be a list of version strings (quote them: ["2025.1"])'
        )
        return ()
    versions = tuple(v.strip() for v in raw)
    if len(set(versions)) != len(versions):
        problems.add("comparable_with", "names a version twice")
    if isinstance(version, str) and version.strip() in versions:
        problems.add("comparable_with", "names this file's own version")
    return versions


def _check_whole(dims, questions, levels, recs, problems: Problems) -> None:
    """What only the file as a whole can show to be wrong."""
    for d in dims:
        mine = [q for q in questions if q.dimension == d.id]
        if d.kind == "scenarios":
            if not mine or any(not q.kind.rated for q in mine):
                problems.add(
                    f"dimension {d.id}", "a scenarios dimension holds only scenario questions"
                )
        elif not any(q.scored for q in mine):
            problems.add(f"dimension {d.id}", "has no scored question")
        elif (
            d.max_points is not None
            and sum(q.exact_max_points for q in mine if q.scored) != d.max_points
        ):
            problems.add(
                f"dimension {d.id}",
                f"its questions' maxima do not add up to max_points {d.max_points}",
            )
    # A gate must be able to bite: its dimension needs a question that is always asked and
    # cannot be answered "not applicable" (else a firm could N/A its way past the gate).
    for did in sorted(items.gate_dimensions(levels)):
        if not any(q.dimension == did and q.scored and not q.allow_na and not q.relevant
                   for q in questions):  # fmt: skip
            problems.add(f"dimension {did}", "is used in a gate but every question can be skipped")
    totals = items.min_totals(levels)
    if totals != sorted(totals):
        problems.add("levels", "min_total must not decrease from one level to the next")
    # Scenario steps go one level at a time, so a scenario with any must have all four.
    for q in (q for q in questions if q.kind.rated):
        targets = {r.target for r in recs if r.question == q.id}
        if targets and targets != {1, 2, 3, 4}:
            problems.add(f"question {q.id}", "scenario recommendations must reach each level 1–4")


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
