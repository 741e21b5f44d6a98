"""`flask --app app ...` commands (listed in README.md). Each has --help."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from assessment.web.extensions import db


def _registry():
    return current_app.extensions["questionnaires"]


questionnaire_cli = AppGroup("questionnaire", help="Validate, list and show questionnaire files.")


@questionnaire_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate_command(paths: tuple[str, ...]) -> None:
    """Check questionnaire files; list every problem and exit 1 if there is any."""
    from assessment.core.questionnaire.loader import load_file

    problems: list[str] = []
    for path in paths:
        files = sorted(Path(path).glob("*.yaml")) if Path(path).is_dir() else [Path(path)]
        for file in files:
            questionnaire, found = load_file(file)
            problems.extend(found)
            if questionnaire is not None:
                click.echo(
                    f"{file}: OK ({questionnaire.id} {questionnaire.version}, "
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
    for q in _registry().all():
        click.echo(f"{q.id}\t{q.version}\t{q.title.zh} / {q.title.en}\t{Path(q.source).name}")


@questionnaire_cli.command("show")
@click.argument("questionnaire_id")
@click.option("--version", "version", default=None, help="Version (default: the newest).")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def show_command(questionnaire_id: str, version: str | None, fmt: str) -> None:
    """Print the normalised definition (dimensions, questions, choices, points, bounds, relevant)."""
    from assessment.core.questionnaire.serialize import to_dict

    questionnaire = _registry().get(questionnaire_id, version)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id} {version or ''}".strip())
    click.echo(json.dumps(to_dict(questionnaire), ensure_ascii=False, indent=2))


@click.command("score")
@with_appcontext
@click.argument("questionnaire_id")
@click.argument("answers_file", type=click.File("r", encoding="utf-8"))
@click.option("--version", "version", default=None, help="Version (default: the newest).")
def score_command(questionnaire_id: str, answers_file, version: str | None) -> None:
    """Score ANSWERS_FILE (JSON: question id → value) and print the result as JSON."""
    from assessment.core.questionnaire.answers import clean, coerce
    from assessment.core.scoring import score

    questionnaire = _registry().get(questionnaire_id, version)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id} {version or ''}".strip())
    try:
        raw = json.load(answers_file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{answers_file.name}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise click.ClickException("the answers file must map question ids to values")
    answers, problems = {}, []
    for qid, value in raw.items():
        question = questionnaire.question(qid)
        if question is None:
            problems.append(
                f"{qid}: no such question in {questionnaire.id} {questionnaire.version}"
            )
            continue
        coerced, problem = coerce(question, value)
        if problem is not None:
            problems.append(
                f"{qid}: {problem.message % problem.params if problem.params else problem.message}"
            )
        elif coerced is not None:
            answers[qid] = coerced
    if problems:
        raise click.ClickException("invalid answers:\n  " + "\n  ".join(problems))
    result = score(questionnaire, clean(questionnaire, answers))
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema to the newest migration (idempotent)."""
    from assessment.services.migrate import current_revision, upgrade

    upgrade(db.engine)
    click.echo(f"Database ready at revision {current_revision(db.engine)}.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["bureau", "admin"]), required=True)
@click.option("--password", default=None, help="Prompted for when not given.")
def create_user_command(email: str, role: str, password: str | None) -> None:
    """Create a bureau analyst or an admin account."""
    from assessment.services.accounts import email_taken, hash_password, password_problem
    from assessment.services.models import User

    if email_taken(db.session, email):
        raise click.ClickException(f"an account with {email} already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem is not None:
        raise click.ClickException(
            problem.message % problem.params if problem.params else problem.message
        )
    db.session.add(
        User(email=email.strip().lower(), password_hash=hash_password(password), role=role)
    )
    db.session.commit()
    click.echo(f"Created {role} account {email}.")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--enterprises", "count", type=click.IntRange(1, 1_000_000), default=300, show_default=True
)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already has enterprises."
)
def seed_demo_command(count: int, seed: int, if_empty: bool) -> None:
    """Create COUNT synthetic Cixi enterprises with submitted assessments (flagged as demo)."""
    from assessment.services.demo import DEMO_PASSWORD, seed_demo

    summary = seed_demo(db.session, _registry(), count, seed, if_empty=if_empty)
    if summary is None:
        click.echo("Database already has enterprises; demo data not loaded.")
        return
    click.echo(
        f"Created {summary.enterprises} demo enterprises and {summary.assessments} submitted "
        f"assessments in {summary.seconds:.1f} s."
    )
    click.echo(f"Demo bureau login:     {summary.bureau_email} / {DEMO_PASSWORD}")
    click.echo(f"Demo enterprise login: {summary.enterprise_email} / {DEMO_PASSWORD}")


@click.command("rebuild-totals")
@with_appcontext
def rebuild_totals_command() -> None:
    """Recompute the per-question totals behind the dashboard's weakest indicators from the
    stored scores (only needed after rows were changed outside the application)."""
    from assessment.services import indicator_totals
    from assessment.services.cache import bump_generation

    indicator_totals.rebuild(db.session)
    bump_generation(db.session, history=True)  # cached figures came from the old totals
    db.session.commit()
    click.echo("Per-question totals rebuilt.")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--questionnaire", "questionnaire_id", default="lianghua", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@with_appcontext
def export_command(fmt: str, out: str, questionnaire_id: str, lang: str) -> None:
    """The bureau export: one row per enterprise with its latest assessment and every dimension."""
    from assessment.services import bureau_stats, enterprise_list, exports
    from assessment.services.bureau_filters import Filters
    from reports.i18n import translator

    questionnaire = _registry().get(questionnaire_id)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id}")
    filters = Filters(questionnaire.id, questionnaire.version,
                      include_demo=current_app.config["DEMO_MODE"])  # fmt: skip
    texts = exports.export_texts(translator(lang).gettext)
    rows = enterprise_list.iter_all(db.session, filters)
    with open(out, "wb") as target:
        if fmt == "csv":
            for chunk in exports.csv_chunks(rows, questionnaire, lang, texts):
                target.write(chunk)
        else:
            data = bureau_stats.dashboard(db.session, filters)
            exports.write_xlsx(target, rows, questionnaire, lang, texts, data)
    count = enterprise_list.count(db.session, filters, None)
    click.echo(f"Wrote {out}: {count} enterprises ({questionnaire.id} {questionnaire.version}).")


def register(app: Flask) -> None:
    """Add the commands to `app.cli`."""
    app.cli.add_command(questionnaire_cli)
    from assessment.cli.backup import backup_command, restore_command
    from assessment.cli.report import report_command

    app.cli.add_command(report_command)
    commands = (score_command, init_db_command, create_user_command, seed_demo_command,
                export_command, backup_command, restore_command, rebuild_totals_command)  # fmt: skip
    for command in commands:
        app.cli.add_command(command)
