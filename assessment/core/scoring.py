"""The scoring engine: (questionnaire, answers) → Result. Pure: no Flask, no database.

Question points → dimension score (0–100, points over attainable points of applicable questions)
→ total (weighted mean of dimension scores) → stage/tier by the file's level rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from assessment.core.questionnaire.answers import is_empty, relevant_ids
from assessment.core.questionnaire.model import NA, Question, Questionnaire

SCORED, NOT_APPLICABLE, HIDDEN, UNANSWERED = "scored", "na", "hidden", "unanswered"


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    dimension: str
    status: str  # scored | na | hidden | unanswered
    points: float
    max_points: float

    @property
    def lost(self) -> float:
        """Points missed on an applicable question (0 for N/A and hidden ones)."""
        return self.max_points - self.points if self.status in (SCORED, UNANSWERED) else 0.0


@dataclass(frozen=True)
class DimensionResult:
    id: str
    score: float | None  # None when no question of the dimension applies
    points: float
    max_points: float


@dataclass(frozen=True)
class Result:
    questionnaire_id: str
    version: str
    total: float
    stage: str
    dimensions: dict[str, DimensionResult]
    questions: dict[str, QuestionResult]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what the CLI prints and the database keeps)."""
        return {
            "questionnaire": self.questionnaire_id,
            "version": self.version,
            "total": self.total,
            "stage": self.stage,
            "dimensions": {d: r.score for d, r in self.dimensions.items()},
            "dimension_points": {d: asdict(r) for d, r in self.dimensions.items()},
            "questions": {q: asdict(r) for q, r in self.questions.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """Rebuild a result stored by `to_dict`."""
        return cls(
            questionnaire_id=data["questionnaire"],
            version=data["version"],
            total=data["total"],
            stage=data["stage"],
            dimensions={d: DimensionResult(**r) for d, r in data["dimension_points"].items()},
            questions={q: QuestionResult(**r) for q, r in data["questions"].items()},
        )

    def costliest(self, dimension: str, limit: int = 3) -> list[QuestionResult]:
        """The questions of a dimension that lost the most points, worst first."""
        lost = [r for r in self.questions.values() if r.dimension == dimension and r.lost > 0]
        return sorted(lost, key=lambda r: (-r.lost, r.question_id))[:limit]


def question_points(question: Question, answer: Any) -> float:
    """Points for one answer (0 for no answer; N/A must be handled by the caller)."""
    if is_empty(answer) or answer == NA:
        return 0.0
    return question.kind.points(question, answer, float)


def score(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Result:
    """Score a set of answers against one questionnaire version.

    N/A and hidden questions leave both sums; an applicable unanswered question scores 0.
    """
    shown = relevant_ids(questionnaire, answers)
    questions: dict[str, QuestionResult] = {}
    sums: dict[str, list[float]] = {d.id: [0.0, 0.0] for d in questionnaire.dimensions}
    for q in questionnaire.scored_questions:
        answer = answers.get(q.id)
        if q.id not in shown:
            status, points = HIDDEN, 0.0
        elif answer == NA and q.allow_na:
            status, points = NOT_APPLICABLE, 0.0
        elif is_empty(answer) or answer == NA:
            status, points = UNANSWERED, 0.0
        else:
            status, points = SCORED, question_points(q, answer)
        questions[q.id] = QuestionResult(q.id, q.dimension, status, points, q.max_points)
        if status in (SCORED, UNANSWERED):
            sums[q.dimension][0] += points
            sums[q.dimension][1] += q.max_points
    dimensions = {
        did: DimensionResult(did, _percent(p, m) if m > 0 else None, p, m)
        for did, (p, m) in sums.items()
    }
    weighted = [
        (d.weight, dimensions[d.id].score)
        for d in questionnaire.dimensions
        if dimensions[d.id].score is not None
    ]
    weight_sum = sum(w for w, _ in weighted)
    total = round(sum(w * s for w, s in weighted) / weight_sum, 2) if weight_sum else 0.0
    return Result(
        questionnaire.id,
        questionnaire.version,
        total,
        stage_for(questionnaire, total, dimensions),
        dimensions,
        questions,
    )


def stage_for(
    questionnaire: Questionnaire, total: float, dimensions: Mapping[str, DimensionResult]
) -> str:
    """The highest level whose minimum total and gates are met (a gate on an unscored dimension
    does not block: not applicable must never count as zero)."""
    reached = questionnaire.levels[0].id
    for level in questionnaire.levels:
        gates_met = all(
            dimensions[did].score is None or dimensions[did].score >= minimum
            for did, minimum in level.gates.items()
        )
        if total >= level.min_total and gates_met:
            reached = level.id
    return reached


def _percent(points: float, maximum: float) -> float:
    return round(min(100.0, max(0.0, 100.0 * points / maximum)), 2)
