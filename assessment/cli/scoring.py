"""`flask --app app score QUESTIONNAIRE_ID ANSWERS_FILE`: run the scoring engine on a JSON file.

A weighted questionnaire (lianghua, cloud) prints the engine's whole result (`Result.to_dict`). A
points questionnaire with official levels (MIIT) prints what its level is made of: S exact (a
string, e.g. "35.575", so no JSON reader rounds it), the sub-scores with their maxima, every
scenario's level, the scenario counts, the level, and what the next level still needs (English).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import click
from flask.cli import with_appcontext

from assessment.cli.common import problem_text, registry
from assessment.core import levels
from assessment.core.levels import ScenarioCount, plain
from assessment.core.questionnaire import Questionnaire
from assessment.core.questionnaire.answers import clean, coerce
from assessment.core.scoring import Result, score


def _coerce_answers(questionnaire: Questionnaire, raw: dict) -> tuple[dict[str, Any], list[str]]:
    """The answers converted to their question's type, and one line per refused answer."""
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for qid, value in raw.items():
        question = questionnaire.question(qid)
        if question is None:
            problems.append(
                f"{qid}: no such question in {questionnaire.id} {questionnaire.version}"
            )
            continue
        coerced, problem = coerce(question, value)
        if problem is not None:
            problems.append(f"{qid}: {problem_text(problem)}")
        elif coerced is not None:
            answers[qid] = coerced
    return answers, problems


@click.command("score")
@with_appcontext
@click.argument("questionnaire_id")
@click.argument("answers_file", type=click.File("r", encoding="utf-8"))
@click.option("--version", "version", default=None, help="Version (default: the newest).")
def score_command(questionnaire_id: str, answers_file, version: str | None) -> None:
    """Score ANSWERS_FILE (JSON: question id → value) and print the result as JSON."""
    questionnaire = registry().get(questionnaire_id, version)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id} {version or ''}".strip())
    try:
        raw = json.load(answers_file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{answers_file.name}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise click.ClickException("the answers file must map question ids to values")
    answers, problems = _coerce_answers(questionnaire, raw)
    if problems:
        raise click.ClickException("invalid answers:\n  " + "\n  ".join(problems))
    result = score(questionnaire, clean(questionnaire, answers))
    printed = level_summary(questionnaire, result) if questionnaire.scoring == "points" else None
    click.echo(json.dumps(printed or result.to_dict(), ensure_ascii=False, indent=2))


def level_summary(questionnaire: Questionnaire, result: Result) -> dict[str, Any]:
    """A points-scored, level-rated result as JSON-ready values; exact figures as strings."""
    level = questionnaire.level(result.stage)
    above = levels.next_levels(questionnaire, result.stage)
    following = above[0] if above else None
    missing = levels.gaps(following, questionnaire, result) if following else []
    subscores = {
        d.id: {"points": plain(Decimal(repr(result.dimensions[d.id].points))),
               "max": plain(d.max_points or Decimal(repr(result.dimensions[d.id].max_points)))}
        for d in questionnaire.dimensions if d.kind == "points"
    }  # fmt: skip
    counts = {}
    for at in (1, 2, 3, 4):
        have, constrained = ScenarioCount(0, at, 0).met_by(questionnaire, result.scenarios)
        counts[f"L{at}"] = {"scenarios": have, "constrained": constrained}
    return {
        "questionnaire": questionnaire.id,
        "version": questionnaire.version,
        "S": plain(result.exact_total),
        "subscores": subscores,
        "scenarios": {q.id: result.scenarios.get(q.id, 0) for q in questionnaire.scenarios},
        "scenario_counts": counts,
        "level": result.stage,
        "level_label": level.label.en if level else result.stage,
        "next_level": following.id if following else None,
        "missing": [problem_text(gap.message) for gap in missing],
    }
