"""Answer values: coercion from raw input, relevance, required checks. Pure; no Flask.

Stored answer types: single → choice value (str); multi → list of choice values; number → int/float;
ladder → level (int 0–4); text → str; "not applicable" → "na" (where the question allows it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from assessment.core.questionnaire.expressions import Answers, evaluate, evaluator_for
from assessment.core.questionnaire.model import NA, Question, Questionnaire
from assessment.core.text import N_, Problem


def coerce(question: Question, raw: Any) -> tuple[Any, Problem | None]:
    """Turn a raw value (JSON or form data) into a stored answer, or a problem saying why not.

    Returns (None, None) for an empty answer.
    """
    if raw is None or raw == "" or raw == []:
        return None, None
    if raw == NA:
        if question.allow_na:
            return NA, None
        return None, Problem(N_("This question cannot be answered 'not applicable'."))
    if question.type in ("single", "ladder"):
        if isinstance(raw, list | dict) or question.choice(raw) is None:
            return None, Problem(N_("Please choose one of the listed answers."))
        return (int(raw) if question.type == "ladder" else str(raw)), None
    if question.type == "multi":
        values = raw if isinstance(raw, list) else [raw]
        if any(not isinstance(v, str) or question.choice(v) is None for v in values):
            return None, Problem(N_("Please choose only from the listed answers."))
        chosen = [c.value for c in question.choices if c.value in values]  # file order, no dups
        if len(chosen) > 1 and any(question.choice(v).exclusive for v in chosen):
            return None, Problem(
                N_("'%(choice)s' cannot be combined with other answers."),
                {
                    "choice": next(
                        question.choice(v).label for v in chosen if question.choice(v).exclusive
                    )
                },
            )
        return chosen, None
    if question.type == "number":
        return _coerce_number(question, raw)
    text = raw if isinstance(raw, str) else str(raw)
    text = text.strip()
    if len(text) > question.max_length:
        return None, Problem(
            N_("Please keep this under %(max)s characters (you wrote %(length)s)."),
            {"max": question.max_length, "length": len(text)},
        )
    return (text or None), None


def _coerce_number(question: Question, raw: Any) -> tuple[Any, Problem | None]:
    if isinstance(raw, bool):
        return None, Problem(N_("Please enter a number."))
    if isinstance(raw, str):
        cleaned = raw.strip().replace(",", "").replace("，", "").rstrip("%％").strip()
        try:
            value = float(cleaned)
        except ValueError:
            return None, Problem(N_("Please enter a number."))
    elif isinstance(raw, int | float):
        value = float(raw)
    else:
        return None, Problem(N_("Please enter a number."))
    if not math.isfinite(value):
        return None, Problem(N_("Please enter a number."))
    if question.integer and value != int(value):
        return None, Problem(N_("Please enter a whole number."))
    if value < question.min or value > question.max:
        return None, Problem(
            N_("Please enter a value from %(min)s to %(max)s."),
            {"min": _fmt(question.min), "max": _fmt(question.max)},
        )
    return (int(value) if question.integer or value == int(value) else value), None


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def relevant_ids(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the questions shown for these answers.

    Evaluated in file order; a hidden question's answer is invisible to the conditions after it.
    """
    visible = Answers()
    evaluator = evaluator_for(visible)
    shown = set()
    for question in questionnaire.questions:
        if question.relevant is None or evaluate(question.relevant, visible, evaluator):
            shown.add(question.id)
            if question.id in answers:
                visible[question.id] = answers[question.id]
    return shown


def clean(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with hidden, unknown and empty entries dropped."""
    shown = relevant_ids(questionnaire, answers)
    return {
        qid: value
        for qid, value in answers.items()
        if qid in shown and value is not None and value != [] and value != ""
    }


def missing_required(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[str]:
    """Ids of shown, required questions without an answer, in file order."""
    shown = relevant_ids(questionnaire, answers)
    return [
        q.id
        for q in questionnaire.questions
        if q.id in shown and q.required and answers.get(q.id) in (None, "", [])
    ]


def describe(question: Question, value: Any, lang: str, na_label: str) -> str:
    """An answer as the user would read it (choice labels, number with unit)."""
    if value is None or value == [] or value == "":
        return ""
    if value == NA:
        return na_label
    if question.type in ("single", "ladder"):
        choice = question.choice(value)
        label = choice.label.get(lang) if choice else str(value)
        return f"L{value} · {label}" if question.type == "ladder" else label
    if question.type == "multi":
        labels = [question.choice(v).label.get(lang) for v in value if question.choice(v)]
        return "；".join(labels) if lang == "zh" else "; ".join(labels)
    if question.type == "number":
        unit = question.unit.get(lang)
        number = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{number} {unit}".strip() if unit not in ("%",) else f"{number}%"
    return str(value)
