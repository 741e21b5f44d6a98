"""`flask --app app export`: the bureau's CSV or XLSX export, written to a file."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from assessment.cli.common import registry
from assessment.services import bureau_stats, enterprise_list, exports
from assessment.services.bureau_filters import Filters
from assessment.web.extensions import db
from reports.i18n import translator


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--questionnaire", "questionnaire_id", default="lianghua", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@with_appcontext
def export_command(fmt: str, out: str, questionnaire_id: str, lang: str) -> None:
    """The bureau export: one row per enterprise with its latest assessment and every dimension."""
    questionnaire = registry().get(questionnaire_id)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id}")
    filters = Filters(
        questionnaire.id, questionnaire.version, include_demo=current_app.config["DEMO_MODE"]
    )
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
