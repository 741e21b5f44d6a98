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
@click.option("--level", "level", default=None,
              help="Only enterprises whose latest assessment is at this stage/level id.")  # fmt: skip
@with_appcontext
def export_command(fmt: str, out: str, questionnaire_id: str, lang: str, level: str | None) -> None:
    """The bureau export: one row per enterprise with its latest assessment and every dimension
    (MIIT: S, the sub-scores in points, the level, every scenario and the scenario counts)."""
    questionnaire = registry().get(questionnaire_id)
    if questionnaire is None:
        raise click.ClickException(f"no questionnaire {questionnaire_id}")
    if level is not None and questionnaire.level(level) is None:
        known = ", ".join(lv.id for lv in questionnaire.levels)
        raise click.ClickException(f"no level {level} in {questionnaire.id} (one of: {known})")
    filters = Filters(
        questionnaire.id, questionnaire.version, include_demo=current_app.config["DEMO_MODE"],
        stage=level, versions=registry().pooled(questionnaire.id, questionnaire.version),
    )  # fmt: skip
    texts = exports.export_texts(translator(lang).gettext)
    rows = enterprise_list.iter_all(db.session, filters, answers=exports.rescored(questionnaire))
    with open(out, "wb") as target:
        if fmt == "csv":
            for chunk in exports.csv_chunks(rows, questionnaire, lang, texts):
                target.write(chunk)
        else:
            data = bureau_stats.dashboard(db.session, filters)
            exports.write_xlsx(target, rows, questionnaire, lang, texts, data)
    count = enterprise_list.count(db.session, filters, None)
    click.echo(f"Wrote {out}: {count} enterprises ({questionnaire.id} {' / '.join(filters.pool)}).")
