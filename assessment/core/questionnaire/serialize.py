"""The normalised definition of a questionnaire, for integrators (`questionnaire show`)."""

from __future__ import annotations

from typing import Any

from assessment.core.question_types.base import exact
from assessment.core.questionnaire.model import Question, Questionnaire


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
    item.update(q.kind.serialize(q))
    return item


def to_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """Everything needed to render and score the questionnaire elsewhere."""
    return {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title.as_dict(),
        "description": questionnaire.description.as_dict(),
        "method": questionnaire.method.as_dict(),
        "dimensions": [
            {"id": d.id, "title": d.title.as_dict(), "weight": d.weight}
            for d in questionnaire.dimensions
        ],
        "levels": [
            {"id": lv.id, "label": lv.label.as_dict(), "min_total": lv.min_total, "gates": lv.gates}
            for lv in questionnaire.levels
        ],
        "questions": [_question(q) for q in questionnaire.questions],
        "recommendations": [
            {
                "id": r.id,
                "question": r.question,
                "target": r.target,
                "title": r.title.as_dict(),
                "effort": r.effort,
                "horizon": r.horizon,
            }
            for r in questionnaire.recommendations
        ],
    }
