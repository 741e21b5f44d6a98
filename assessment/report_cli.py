"""`flask --app app report ASSESSMENT_ID --out FILE.pdf [--lang zh|en]`: write a PDF report."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .extensions import db
from .models import STATUS_SUBMITTED, Assessment


def find_assessment(identifier: str) -> Assessment:
    """The assessment with this numeric id or public id; a ClickException when there is none."""
    identifier = identifier.strip()
    assessment = None
    if identifier.isdigit():
        assessment = db.session.get(Assessment, int(identifier))
    if assessment is None:
        assessment = db.session.scalar(select(Assessment).where(Assessment.public_id == identifier))
    if assessment is None:
        raise click.ClickException(f"no assessment with id or public id {identifier!r}")
    if assessment.status != STATUS_SUBMITTED:
        raise click.ClickException(
            f"assessment {identifier} is a draft: only submitted assessments have a report"
        )
    return assessment


@click.command("report")
@with_appcontext
@click.argument("assessment_id")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Report language.",
)
def report_command(assessment_id: str, out: Path, lang: str) -> None:
    """Write the PDF diagnosis report of ASSESSMENT_ID (numeric id or public id) to --out."""
    from reports import report_fonts, report_for

    from .web.context import benchmarks

    assessment = find_assessment(assessment_id)
    registry = current_app.extensions["questionnaires"]
    questionnaire = registry.get(assessment.questionnaire_id, assessment.questionnaire_version)
    if questionnaire is None:
        raise click.ClickException(
            f"questionnaire {assessment.questionnaire_id} {assessment.questionnaire_version} "
            "is not loaded"
        )
    font_path = current_app.config.get("REPORT_FONT")
    pdf = report_for(
        db.session,
        assessment,
        questionnaire,
        benchmarks(),
        lang,
        font_path=font_path,
        timezone=current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai",
    )
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    fonts = report_fonts(font_path)
    font = fonts.path or f"{fonts.regular} (built-in, not embedded)"
    click.echo(f"Wrote {out} ({len(pdf) // 1024} KB, {lang}, font {font}).")
