"""Comparable versions: when two versions of a questionnaire score every answer set alike, their
submissions pool in cohorts, dashboards, indicator totals and exports.

A version declares the earlier versions it is comparable with (`comparable_with` in its file);
`differences` says why a declaration does not hold. Two versions are comparable when the engine
would give the same total, dimension scores, stage and question points for the same answers: the
same scoring kind, the same dimensions (ids, order, weights, kinds, maxima), the same stage rules,
the same scored and rated questions scored the same way (dimension, type, choices and their
points, caps, bands, "not applicable", `relevant`), and the same answer values for every question a
`relevant` expression reads. Texts, help, evidence, recommendations and unscored questions (such
as figures from which a rate is derived) may differ: that is what a new comparable version is for.
tests/test_comparable_versions.py proves it on the published versions by scoring the same answer
sets with both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessment.core.questionnaire.expressions import names_in
from assessment.core.questionnaire.model import Question, Questionnaire


def dimension_maximum(questionnaire: Questionnaire, dimension_id: str) -> Decimal:
    """The points a dimension's scored questions can earn at best, exactly."""
    return sum(
        (q.exact_max_points for q in questionnaire.scored_questions if q.dimension == dimension_id),
        Decimal(0),
    )


def _scoring(question: Question) -> tuple[Any, ...]:
    """Everything about a question that the scoring engine reads."""
    return (
        question.dimension,
        question.type,
        question.allow_na,
        question.relevant,
        tuple((c.value, c.points) for c in question.choices),
        question.max_points_cap,
        question.bands,
        bool(question.extra.get("constrained")),
    )


def _values(question: Question) -> tuple[Any, ...]:
    """The answers a question can have (what a `relevant` expression compares)."""
    return (question.type, tuple(c.value for c in question.choices), question.min, question.max)


def _read_by_relevance(questionnaire: Questionnaire) -> set[str]:
    counted = (q for q in questionnaire.questions if q.scored or q.kind.rated)
    return {name for q in counted if q.relevant for name in names_in(q.relevant)}


def _dimension_differences(newer: Questionnaire, older: Questionnaire) -> list[str]:
    if [d.id for d in newer.dimensions] != [d.id for d in older.dimensions]:
        return ["the dimensions differ (ids or order): "
                f"{', '.join(d.id for d in newer.dimensions)} here, "
                f"{', '.join(d.id for d in older.dimensions)} there"]  # fmt: skip
    found = []
    for mine, theirs in zip(newer.dimensions, older.dimensions, strict=True):
        if (mine.weight, mine.kind, mine.max_points) != (
            theirs.weight, theirs.kind, theirs.max_points
        ):  # fmt: skip
            found.append(f"dimension {mine.id} has another weight, kind or max_points")
        here, there = dimension_maximum(newer, mine.id), dimension_maximum(older, mine.id)
        if here != there:
            found.append(
                f"dimension {mine.id} has a different maximum ({here} here, {there} there)"
            )
    return found


def _question_differences(newer: Questionnaire, older: Questionnaire) -> list[str]:
    counted = {q.id for q in newer.questions if q.scored or q.kind.rated}
    counted_before = {q.id for q in older.questions if q.scored or q.kind.rated}
    found = [f"question {qid} is scored or rated here but not there"
             for qid in sorted(counted - counted_before)]  # fmt: skip
    found += [f"question {qid} is scored or rated there but not here"
              for qid in sorted(counted_before - counted)]  # fmt: skip
    for qid in sorted(counted & counted_before):
        if _scoring(newer.question(qid)) != _scoring(older.question(qid)):
            found.append(f"question {qid} is scored differently")
    for qid in sorted(_read_by_relevance(newer) | _read_by_relevance(older)):
        mine, theirs = newer.question(qid), older.question(qid)
        if mine is None or theirs is None or _values(mine) != _values(theirs):
            found.append(f"question {qid}, read by a 'relevant' expression, differs")
    return found


def differences(newer: Questionnaire, older: Questionnaire) -> list[str]:
    """Why `newer`'s scores cannot pool with `older`'s (empty when they can)."""
    if newer.id != older.id:
        return [f"it is another questionnaire ({older.id})"]
    found = []
    if newer.scoring != older.scoring:
        found.append(f"the scoring differs ({newer.scoring} here, {older.scoring} there)")
    found += _dimension_differences(newer, older)
    if [(lv.id, lv.conditions) for lv in newer.levels] != [
        (lv.id, lv.conditions) for lv in older.levels
    ]:
        found.append("the stage rules (levels) differ")
    return found + _question_differences(newer, older)
