"""`flask --app app score QUESTIONNAIRE_ID ANSWERS_FILE`: run the scoring engine on a JSON file."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from assessment.cli.common import problem_text, registry
from assessment.core.questionnaire import Questionnaire
from assessment.core.questionnaire.answers import clean, coerce
from assessment.core.scoring import score


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
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
