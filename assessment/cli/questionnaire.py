"""`flask --app app questionnaire validate|list|show`: check and inspect questionnaire files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from assessment.cli.common import registry
from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.registry import comparability_problems
from assessment.core.questionnaire.serialize import to_dict

questionnaire_cli = AppGroup("questionnaire", help="Validate, list and show questionnaire files.")


@questionnaire_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate_command(paths: tuple[str, ...]) -> None:
    """Check questionnaire files; list every problem and exit 1 if there is any. A file declaring
    `comparable_with` is checked against the versions it names: the loaded ones, or files given
    with it."""
    problems: list[str] = []
    checked = {}
    for path in paths:
        files = sorted(Path(path).glob("*.yaml")) if Path(path).is_dir() else [Path(path)]
        for file in files:
            questionnaire, found = load_file(file)
            problems.extend(found)
            if questionnaire is not None:
                checked[questionnaire.key] = questionnaire
    context = {q.key: q for q in registry().all()} | checked
    problems += comparability_problems(list(context.values()), set(checked))
    for questionnaire in checked.values():
        if not any(p.startswith(f"{questionnaire.source}:") for p in problems):
            click.echo(
                f"{questionnaire.source}: OK ({questionnaire.id} {questionnaire.version}, "
                f"{len(questionnaire.scored_questions)} scored questions, "
                f"{len(questionnaire.recommendations)} recommendations)"
            )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)


@questionnaire_cli.command("list")
def list_command() -> None:
    """Name the loaded questionnaires and their versions."""
    for q in registry().all():
        click.echo(f"{q.id}\t{q.version}\t{q.title.zh} / {q.title.en}\t{Path(q.source).name}")


@questionnaire_cli.command("show")
@click.argument("questionnaire_id")
@click.option("--version", "version", default=None, help="Version (default: the newest).")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def show_command(questionnaire_id: str, version: str | None, fmt: str) -> None:
    """Print the normalised definition (dimensions, questions, choices, points, bounds, relevant)."""
    questionnaire = registry().get(questionnaire_id, version)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id} {version or ''}".strip())
    click.echo(json.dumps(to_dict(questionnaire), ensure_ascii=False, indent=2))
