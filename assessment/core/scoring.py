"""The scoring engine: (questionnaire, answers) → Result. Pure: no Flask, no database.

Question points → dimension score (0–100, points over attainable points of applicable questions)
→ total → stage, tier or level by the file's level rules (`assessment.core.levels`). Two kinds of
total (the file's `scoring`): `weighted`, the weighted mean of dimension scores (the 2025
questionnaires; added in floats, as their published results were), and `points`, the exact sum of
all points (official questionnaires such as MIIT's S: Decimal, so thresholds compare exactly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assessment.core import levels
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
    scenarios: dict[str, int] = field(default_factory=dict)  # rated scenario id → level 0–4

    @property
    def exact_total(self) -> Decimal:
        """The total as an exact decimal (what level thresholds compare)."""
        return Decimal(repr(self.total))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what the CLI prints and the database keeps)."""
        out = {
            "questionnaire": self.questionnaire_id,
            "version": self.version,
            "total": self.total,
            "stage": self.stage,
            "dimensions": {d: r.score for d, r in self.dimensions.items()},
            "dimension_points": {d: asdict(r) for d, r in self.dimensions.items()},
            "questions": {q: asdict(r) for q, r in self.questions.items()},
        }
        if self.scenarios:
            out["scenarios"] = dict(self.scenarios)
        return out

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
            scenarios=dict(data.get("scenarios") or {}),
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
    num = Decimal if questionnaire.scoring == "points" else float
    questions: dict[str, QuestionResult] = {}
    sums: dict[str, list] = {d.id: [num(0), num(0)] for d in questionnaire.dimensions}
    for q in questionnaire.scored_questions:
        answer = answers.get(q.id)
        if q.id not in shown:
            status, points = HIDDEN, num(0)
        elif answer == NA and q.allow_na:
            status, points = NOT_APPLICABLE, num(0)
        elif is_empty(answer) or answer == NA:
            status, points = UNANSWERED, num(0)
        else:
            status, points = SCORED, q.kind.points(q, answer, num)
        maximum = q.max_points if num is float else q.exact_max_points
        questions[q.id] = QuestionResult(q.id, q.dimension, status, float(points), float(maximum))
        if status in (SCORED, UNANSWERED):
            sums[q.dimension][0] += points
            sums[q.dimension][1] += maximum
    dimensions = {
        did: DimensionResult(did, _percent(p, m) if m > 0 else None, float(p), float(m))
        for did, (p, m) in sums.items()
    }
    if num is float:
        total = _weighted_total(questionnaire, dimensions)
    else:
        total = float(sum((p for p, _m in sums.values()), Decimal(0)))
    rated = {q.id: _rating(answers.get(q.id)) for q in questionnaire.scenarios if q.id in shown}
    result = Result(questionnaire.id, questionnaire.version, total, "", dimensions, questions,
                    rated)  # fmt: skip
    return replace(result, stage=levels.reached(questionnaire, result).id)


def _rating(answer: Any) -> int:
    """A scenario's level 0–4 (anything else, e.g. no answer, counts as below level 1)."""
    valid = isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer <= 4
    return answer if valid else 0


def _weighted_total(questionnaire: Questionnaire, dimensions: dict[str, DimensionResult]) -> float:
    weighted = [
        (d.weight, dimensions[d.id].score)
        for d in questionnaire.dimensions
        if dimensions[d.id].score is not None
    ]
    weight_sum = sum(w for w, _ in weighted)
    return round(sum(w * s for w, s in weighted) / weight_sum, 2) if weight_sum else 0.0


def stage_for(
    questionnaire: Questionnaire,
    total: float,
    dimensions: Mapping[str, DimensionResult],
    scenarios: Mapping[str, int] | None = None,
) -> str:
    """The level these scores reach (a gate on an unscored dimension does not block)."""
    result = Result(questionnaire.id, questionnaire.version, total, "", dict(dimensions), {},
                    dict(scenarios or {}))  # fmt: skip
    return levels.reached(questionnaire, result).id


def _percent(points, maximum) -> float:
    if isinstance(points, Decimal):  # exact: round half up, as a person would
        share = (100 * points / maximum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return float(min(Decimal(100), max(Decimal(0), share)))
    return round(min(100.0, max(0.0, 100.0 * points / maximum)), 2)
