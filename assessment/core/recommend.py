"""Tailored next steps and the what-if projection. Pure: no Flask, no database.

Each recommendation in the questionnaire file names a question and the answer it moves the
enterprise to. A step's gain is measured by re-scoring the improved answers with the engine,
never by a second formula; so is the projection after several steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.questionnaire.answers import clean, relevant_ids
from assessment.core.questionnaire.model import NA, Questionnaire, Recommendation
from assessment.core.scoring import Result, question_points, score

EFFORT_COST = {"low": 1.0, "medium": 2.0, "high": 3.0}
# How much more a step counts when its dimension is below the cohort median (at a 25-point gap).
BELOW_MEDIAN_BOOST = 0.5


@dataclass(frozen=True)
class Step:
    recommendation: Recommendation
    dimension: str
    current: Any  # the current answer
    target: Any  # the answer after the step
    gain: float  # total-score points gained by this step alone
    dimension_gain: float
    priority: float  # gain per effort, boosted below the cohort median

    @property
    def id(self) -> str:
        """The recommendation id."""
        return self.recommendation.id


def improved_answer(questionnaire: Questionnaire, rec: Recommendation, current: Any) -> Any:
    """The answer after applying a recommendation (its question's type decides: a multi
    question adds the recommended choices and drops an exclusive "none of these")."""
    question = questionnaire.question(rec.question)
    return question.kind.improve(question, current, rec.target)


def apply(
    questionnaire: Questionnaire, answers: Mapping[str, Any], recs: Iterable[Recommendation]
) -> dict:
    """Answers with the recommendations applied, hidden answers dropped."""
    improved = dict(answers)
    for rec in recs:
        improved[rec.question] = improved_answer(questionnaire, rec, improved.get(rec.question))
    return clean(questionnaire, improved)


def candidate_steps(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    result: Result,
    cohort_medians: Mapping[str, float] | None = None,
) -> list[Step]:
    """Every recommendation that would raise the score, ranked by priority (best first).

    Skipped: questions answered "not applicable" (N/A means the firm does not need it), hidden
    questions, and targets that would not earn more points. One step per question: the nearest
    target above the current answer, which is the next thing to do.
    """
    shown = relevant_ids(questionnaire, answers)
    best_per_question: dict[str, tuple[float, Recommendation]] = {}
    for rec in questionnaire.recommendations:
        question = questionnaire.question(rec.question)
        current = answers.get(rec.question)
        if rec.question not in shown or current == NA:
            continue
        now = question_points(question, current)
        after = question_points(question, improved_answer(questionnaire, rec, current))
        if after <= now + 1e-9:
            continue
        known = best_per_question.get(rec.question)
        if known is None or after < known[0]:
            best_per_question[rec.question] = (after, rec)
    steps = []
    for _after, rec in best_per_question.values():
        question = questionnaire.question(rec.question)
        projected = score(questionnaire, apply(questionnaire, answers, [rec]))
        gain = round(projected.total - result.total, 2)
        if gain <= 0:
            continue
        dim = question.dimension
        before_dim = result.dimensions[dim].score or 0.0
        after_dim = projected.dimensions[dim].score or 0.0
        boost = 1.0
        median = (cohort_medians or {}).get(dim)
        if median is not None and before_dim < median:
            boost += BELOW_MEDIAN_BOOST * min(1.0, (median - before_dim) / 25.0)
        steps.append(
            Step(
                recommendation=rec,
                dimension=dim,
                current=answers.get(rec.question),
                target=improved_answer(questionnaire, rec, answers.get(rec.question)),
                gain=gain,
                dimension_gain=round(after_dim - before_dim, 2),
                priority=round(gain / EFFORT_COST[rec.effort] * boost, 4),
            )
        )
    return sorted(steps, key=lambda s: (-s.priority, -s.gain, s.id))


def project(
    questionnaire: Questionnaire, answers: Mapping[str, Any], steps: Iterable[Step]
) -> Result:
    """The engine's result after applying these steps together."""
    return score(questionnaire, apply(questionnaire, answers, [s.recommendation for s in steps]))


def by_horizon(steps: Iterable[Step]) -> dict[int, list[Step]]:
    """Steps grouped by horizon (3, 6, 12 months), each group in priority order."""
    groups: dict[int, list[Step]] = {3: [], 6: [], 12: []}
    for step in steps:
        groups.setdefault(step.recommendation.horizon, []).append(step)
    return groups
