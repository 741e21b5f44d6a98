"""Everything a result page or PDF report shows about one submitted assessment. No Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..benchmark import TOTAL, Benchmarks, Comparison
from ..models import STATUS_SUBMITTED, Assessment
from ..questionnaire.answers import describe
from ..questionnaire.model import Dimension, Level, Question, Questionnaire
from ..recommend import Step, by_horizon, candidate_steps, project
from ..scoring import QuestionResult, Result, score

TOP_STEPS = 10


@dataclass
class CostlyAnswer:
    question: Question
    answer: str
    result: QuestionResult


@dataclass
class DimensionView:
    dimension: Dimension
    score: float | None
    costly: list[CostlyAnswer]
    strengths: list[CostlyAnswer]


@dataclass
class Progress:
    previous: Assessment
    previous_result: Result
    total_change: float
    dimension_changes: dict[str, float | None]


@dataclass
class ResultView:
    assessment: Assessment
    questionnaire: Questionnaire
    result: Result
    level: Level
    dimensions: list[DimensionView]
    comparisons: dict[str, Comparison]
    steps: list[Step]
    groups: dict[int, list[Step]]
    projections: dict[int, Result]
    selected: list[str] = field(default_factory=list)
    selected_projection: Result | None = None
    progress: Progress | None = None
    other_version: Assessment | None = None  # an earlier assessment that cannot be compared
    window_months: int = 24
    min_cohort: int = 5

    @property
    def scores(self) -> dict[str, float | None]:
        """The assessment's total and dimension scores by metric name."""
        return {TOTAL: self.result.total, **{d: r.score for d, r in self.result.dimensions.items()}}


def _answers_view(questionnaire, answers, results, lang, na_label) -> list[CostlyAnswer]:
    return [
        CostlyAnswer(
            questionnaire.question(qr.question_id),
            describe(
                questionnaire.question(qr.question_id), answers.get(qr.question_id), lang, na_label
            ),
            qr,
        )
        for qr in results
    ]


def _progress(
    session: Session, assessment: Assessment, questionnaire: Questionnaire
) -> tuple[Progress | None, Assessment | None]:
    earlier = session.scalars(
        select(Assessment)
        .where(
            Assessment.enterprise_id == assessment.enterprise_id,
            Assessment.questionnaire_id == assessment.questionnaire_id,
            Assessment.status == STATUS_SUBMITTED,
            Assessment.submitted_at < assessment.submitted_at,
        )
        .order_by(Assessment.submitted_at.desc())
    ).all()
    same = next(
        (a for a in earlier if a.questionnaire_version == assessment.questionnaire_version), None
    )
    other = next(
        (a for a in earlier if a.questionnaire_version != assessment.questionnaire_version), None
    )
    if same is None:
        return None, other
    before = score(questionnaire, same.answers)
    now = score(questionnaire, assessment.answers)
    changes = {
        d: (None if r.score is None or before.dimensions[d].score is None
            else round(r.score - before.dimensions[d].score, 2))
        for d, r in now.dimensions.items()
    }  # fmt: skip
    progress = Progress(same, before, round(now.total - before.total, 2), changes)
    # Only mention an other-version assessment when it is newer than the comparable one.
    newer_other = other if other is not None and other.submitted_at > same.submitted_at else None
    return progress, newer_other


def build(
    session: Session,
    assessment: Assessment,
    questionnaire: Questionnaire,
    benchmarks: Benchmarks,
    lang: str,
    na_label: str,
    selected: list[str] | None = None,
) -> ResultView:
    """Assemble the result, cohort comparisons, ranked steps, projections and progress."""
    # Answers were frozen with their questionnaire version: re-scoring gives the stored result.
    answers = assessment.answers
    result = score(questionnaire, answers)
    dims = []
    for dim in questionnaire.dimensions:
        lost = result.costliest(dim.id, limit=3)
        strong = sorted(
            (r for r in result.questions.values()
             if r.dimension == dim.id and r.status == "scored" and r.max_points > 0
             and r.points >= r.max_points - 1e-9),
            key=lambda r: -r.max_points,
        )[:3]  # fmt: skip
        dims.append(
            DimensionView(
                dim,
                result.dimensions[dim.id].score,
                _answers_view(questionnaire, answers, lost, lang, na_label),
                _answers_view(questionnaire, answers, strong, lang, na_label),
            )
        )
    scores = {TOTAL: result.total, **{d: r.score for d, r in result.dimensions.items()}}
    comparisons = benchmarks.compare(assessment, scores)
    industry = comparisons["industry"]
    medians = {m: s.median for m, s in industry.stats.items()} if industry.shown else None
    steps = candidate_steps(questionnaire, answers, result, medians)
    top = steps[:TOP_STEPS]
    # "After the top 3 / top 5 steps", or after all of them when fewer are left.
    counts = sorted({min(n, len(steps)) for n in (3, 5)} - {0})
    projections = {n: project(questionnaire, answers, steps[:n]) for n in counts}
    chosen_ids = [s for s in (selected or []) if any(step.id == s for step in steps)]
    chosen = [step for step in steps if step.id in chosen_ids]
    progress, other = _progress(session, assessment, questionnaire)
    return ResultView(
        assessment=assessment,
        questionnaire=questionnaire,
        result=result,
        level=questionnaire.level(result.stage),
        dimensions=dims,
        comparisons=comparisons,
        steps=top,
        groups=by_horizon(top),
        projections=projections,
        selected=chosen_ids,
        selected_projection=project(questionnaire, answers, chosen) if chosen else None,
        progress=progress,
        other_version=other,
        window_months=benchmarks.window_months,
        min_cohort=benchmarks.min_cohort,
    )


def step_answer_labels(view: ResultView, step: Step, lang: str, na_label: str) -> dict[str, Any]:
    """The current and target answers of a step, as the user reads them."""
    question = view.questionnaire.question(step.recommendation.question)
    return {
        "question": question,
        "current": describe(question, step.current, lang, na_label),
        "target": describe(question, step.target, lang, na_label),
    }
