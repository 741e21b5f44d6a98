"""Everything a result page or PDF report shows about one submitted assessment, as plain values.

`assemble` is pure: the caller (`assessment.services.results`) supplies the stored answers, the
cohort comparisons and the earlier assessments read from the database. The page and the PDF both
render the same `ResultView`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assessment.core import level_view
from assessment.core.cohorts import TOTAL, Comparison
from assessment.core.level_view import LevelView
from assessment.core.questionnaire.answers import describe
from assessment.core.questionnaire.model import Dimension, Level, Question, Questionnaire
from assessment.core.recommend import Step, by_horizon, candidate_steps, project
from assessment.core.scoring import SCORED, QuestionResult, Result, score

TOP_STEPS = 10


@dataclass(frozen=True)
class Subject:
    """Who and what the result is about, copied from the stored rows (cohort frozen at submit)."""

    public_id: str
    enterprise_name: str
    uscc: str
    town: str
    industry: str
    size_class: str
    questionnaire_version: str
    submitted_at: datetime
    answers: Mapping[str, Any]
    # The service provider (数字化服务商) that helped fill it, "" when none: the page and the PDF
    # say "由 XX 服务商协助填写".
    assisted_by: str = ""


@dataclass(frozen=True)
class PastAssessment:
    """An earlier submitted assessment of the same enterprise and questionnaire."""

    submitted_at: datetime
    questionnaire_version: str
    answers: Mapping[str, Any]


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
    previous: PastAssessment
    previous_result: Result
    total_change: float
    dimension_changes: dict[str, float | None]


@dataclass
class ResultView:
    subject: Subject
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
    other_version: PastAssessment | None = None  # an earlier assessment that cannot be compared
    window_months: int = 24
    min_cohort: int = 5
    versions: tuple[str, ...] = ()  # the questionnaire versions its peers answered (pooled)
    levels: LevelView | None = None  # points-scored, level-rated questionnaires (MIIT)

    @property
    def scores(self) -> dict[str, float | None]:
        """The assessment's total and dimension scores by metric name."""
        return scores_of(self.result)


def scores_of(result: Result) -> dict[str, float | None]:
    """A result's total and dimension scores by metric name (what cohorts compare)."""
    return {TOTAL: result.total, **{d: r.score for d, r in result.dimensions.items()}}


def _answers_view(questionnaire, answers, results, lang, na_label) -> list[CostlyAnswer]:
    out = []
    for qr in results:
        question = questionnaire.question(qr.question_id)
        out.append(CostlyAnswer(question, describe(question, answers.get(qr.question_id), lang,
                                                   na_label), qr))  # fmt: skip
    return out


def _dimension_views(questionnaire, answers, result, lang, na_label) -> list[DimensionView]:
    dims = []
    for dim in questionnaire.dimensions:
        lost = result.costliest(dim.id, limit=3)
        strong = sorted(
            (r for r in result.questions.values()
             if r.dimension == dim.id and r.status == SCORED and r.max_points > 0
             and r.points >= r.max_points - 1e-9),
            key=lambda r: -r.max_points,
        )[:3]  # fmt: skip
        dims.append(DimensionView(dim, result.dimensions[dim.id].score,
                                  _answers_view(questionnaire, answers, lost, lang, na_label),
                                  _answers_view(questionnaire, answers, strong, lang, na_label)))  # fmt: skip
    return dims


def progress_since(
    questionnaire: Questionnaire, now: Result, earlier: list[PastAssessment],
    comparable: tuple[str, ...] = (),
) -> tuple[Progress | None, PastAssessment | None]:  # fmt: skip
    """Progress since the newest earlier assessment of the same version or of a version scored
    the same way (`comparable`: its answers score alike under this one), `earlier` newest first;
    and a newer earlier assessment of another version that cannot be compared."""
    alike = {questionnaire.version, *comparable}
    same = next((a for a in earlier if a.questionnaire_version in alike), None)
    other = next((a for a in earlier if a.questionnaire_version not in alike), None)
    if same is None:
        return None, other
    before = score(questionnaire, same.answers)
    changes = {
        d: (None if r.score is None or before.dimensions[d].score is None
            else round(r.score - before.dimensions[d].score, 2))
        for d, r in now.dimensions.items()
    }  # fmt: skip
    progress = Progress(same, before, round(now.total - before.total, 2), changes)
    # Only mention an other-version assessment when it is newer than the comparable one.
    newer_other = other if other is not None and other.submitted_at > same.submitted_at else None
    return progress, newer_other


@dataclass(frozen=True)
class ViewOptions:
    """How a result is shown: language, the "not applicable" label, ticked steps, peer settings."""

    lang: str
    na_label: str
    selected: tuple[str, ...] = ()
    window_months: int = 24
    min_cohort: int = 5
    versions: tuple[str, ...] = ()  # the versions pooled with this one (cohorts, progress)


def assemble(
    questionnaire: Questionnaire,
    subject: Subject,
    result: Result,
    comparisons: dict[str, Comparison],
    earlier: list[PastAssessment],
    options: ViewOptions,
) -> ResultView:
    """The result, its comparisons, ranked steps, projections and progress, ready to render."""
    answers = subject.answers
    industry = comparisons["industry"]
    medians = {m: s.median for m, s in industry.stats.items()} if industry.shown else None
    steps = candidate_steps(questionnaire, answers, result, medians)
    top = steps[:TOP_STEPS]
    # "After the top 3 / top 5 steps", or after all of them when fewer are left.
    counts = sorted({min(n, len(steps)) for n in (3, 5)} - {0})
    chosen_ids = [s for s in options.selected if any(step.id == s for step in steps)]
    chosen = [step for step in steps if step.id in chosen_ids]
    progress, other = progress_since(questionnaire, result, earlier, options.versions)
    return ResultView(
        subject=subject,
        questionnaire=questionnaire,
        result=result,
        level=questionnaire.level(result.stage),
        dimensions=_dimension_views(
            questionnaire, answers, result, options.lang, options.na_label
        ),  # fmt: skip
        comparisons=comparisons,
        steps=top,
        groups=by_horizon(top),
        projections={n: project(questionnaire, answers, steps[:n]) for n in counts},
        selected=chosen_ids,
        selected_projection=project(questionnaire, answers, chosen) if chosen else None,
        progress=progress,
        other_version=other,
        window_months=options.window_months,
        min_cohort=options.min_cohort,
        versions=options.versions or (questionnaire.version,),
        levels=(
            level_view.build(
                questionnaire, answers, result, options.selected, options.lang, options.na_label
            )
            if questionnaire.scenarios
            else None
        ),  # fmt: skip
    )


def step_answer_labels(view: ResultView, step: Step, lang: str, na_label: str) -> dict[str, Any]:
    """The current and target answers of a step, as the user reads them."""
    question = view.questionnaire.question(step.recommendation.question)
    return {
        "question": question,
        "current": describe(question, step.current, lang, na_label),
        "target": describe(question, step.target, lang, na_label),
    }
