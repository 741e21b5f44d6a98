"""`flask --app app report ASSESSMENT_ID --out FILE.pdf [--lang zh|en]`: write a PDF report."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from assessment.core.enums import Status
from assessment.services.models import Assessment
from assessment.web.context import report_pdf
from assessment.web.extensions import db
from reports import report_fonts


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
    if assessment.status != Status.SUBMITTED:
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
    assessment = find_assessment(assessment_id)
    registry = current_app.extensions["questionnaires"]
    questionnaire = registry.get(assessment.questionnaire_id, assessment.questionnaire_version)
    if questionnaire is None:
        raise click.ClickException(
            f"questionnaire {assessment.questionnaire_id} {assessment.questionnaire_version} "
            "is not loaded"
        )
    pdf = report_pdf(assessment, questionnaire, lang)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    fonts = report_fonts(current_app.config.get("REPORT_FONT"))
    font = fonts.path or f"{fonts.regular} (built-in, not embedded)"
    click.echo(f"Wrote {out} ({len(pdf) // 1024} KB, {lang}, font {font}).")
