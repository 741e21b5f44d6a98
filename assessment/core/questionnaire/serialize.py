"""The normalised definition of a questionnaire, for integrators (`questionnaire show`)."""

from __future__ import annotations

from typing import Any

from assessment.core.question_types.base import exact
from assessment.core.questionnaire.model import Level, Question, Questionnaire


def _question(q: Question) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": q.id,
        "dimension": q.dimension,
        "type": q.type,
        "text": q.text.as_dict(),
        "help": q.help.as_dict(),
        "evidence": q.evidence.as_dict(),
        "required": q.required,
        "allow_na": q.allow_na,
        "relevant": q.relevant,
        "scored": q.scored,
        "max_points": exact(q.exact_max_points) if q.scored else None,
    }
    if q.official:
        item["official"] = dict(q.official)
    if q.key:
        item["key"] = q.key
    item.update(q.kind.serialize(q))
    return item


def _level(level: Level) -> dict[str, Any]:
    # min_total and gates are always present (integrators read them); other conditions when set.
    out = {"id": level.id, "label": level.label.as_dict(), "min_total": 0.0, "gates": {}}
    for condition in level.conditions:
        out.update(condition.serialize())
    return out


def to_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """Everything needed to render and score the questionnaire elsewhere."""
    return {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title.as_dict(),
        "description": questionnaire.description.as_dict(),
        "method": questionnaire.method.as_dict(),
        "scoring": questionnaire.scoring,
        **(
            {"comparable_with": list(questionnaire.comparable_with)}
            if questionnaire.comparable_with
            else {}
        ),
        **({"note": questionnaire.note.as_dict()} if questionnaire.note.zh else {}),
        "dimensions": [
            {
                "id": d.id,
                "title": d.title.as_dict(),
                "weight": d.weight,
                "kind": d.kind,
                **({"max_points": exact(d.max_points)} if d.max_points is not None else {}),
            }
            for d in questionnaire.dimensions
        ],
        "levels": [_level(lv) for lv in questionnaire.levels],
        "questions": [_question(q) for q in questionnaire.questions],
        "recommendations": [
            {
                "id": r.id,
                "question": r.question,
                "target": r.target,
                "title": r.title.as_dict(),
                "effort": r.effort,
                "horizon": r.horizon,
                **({"evidence": r.evidence.as_dict()} if r.evidence.zh else {}),
            }
            for r in questionnaire.recommendations
        ],
    }
