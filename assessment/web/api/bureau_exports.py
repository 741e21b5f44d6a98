"""/api/v1/bureau exports for `bureau:export` tokens: the CSV and XLSX the bureau's pages offer, and
batch PDF reports (a job to start, poll and download), within the token owner's scope (a town
officer's towns only, through the same filters as the pages)."""

from __future__ import annotations

import io

from flask import Response, current_app, g
from flask_babel import gettext as _

from assessment.services import audit, bureau_stats, enterprise_list, exports
from assessment.services.api_tokens import BUREAU_EXPORT
from assessment.web.api import schemas as s
from assessment.web.api.bureau import filters_of
from assessment.web.api.core import blueprint, scope_required
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

blp = blueprint("api_exports", "The bureau's exports and batch reports, within the caller's scope.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(query: dict, fmt: str):
    """The filters, the questionnaire, the rows and the texts of an export (audited)."""
    filters, _ignored = filters_of(query)
    questionnaire = current_app.extensions["questionnaires"].get(filters.questionnaire_id,
                                                                 filters.version)  # fmt: skip
    action = audit.EXPORT_CSV if fmt == "csv" else audit.EXPORT_XLSX
    audit.record(db.session, g.api_user, action, "filter", None, filters.describe() | {"api": True})
    rows = enterprise_list.iter_all(db.session, filters, None,
                                    answers=exports.rescored(questionnaire))  # fmt: skip
    return filters, questionnaire, rows, exports.export_texts(_)


def _attachment(filters, extension: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="cixi-{filters.questionnaire_id}.'
                                   f'{extension}"'}  # fmt: skip


@blp.get("/bureau/export.csv")
@scope_required(BUREAU_EXPORT)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, content_type="text/csv", description="The CSV export (UTF-8 with BOM).")
def csv(query: dict):
    """The CSV export of the enterprises in the filter, with their latest scores (a last line
    says which submissions and towns it counts when not every submission of the city)."""
    filters, questionnaire, rows, texts = _export(query, "csv")
    lang = current_lang()
    shows = (exports.shown(filters, lang, _)
             if filters.approved_only or filters.towns is not None else None)  # fmt: skip
    body = b"".join(exports.csv_chunks(rows, questionnaire, lang, texts, shows))
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers=_attachment(filters, "csv"))  # fmt: skip


@blp.get("/bureau/export.xlsx")
@scope_required(BUREAU_EXPORT)
@blp.arguments(s.BureauQuery, location="query")
@blp.response(200, content_type=XLSX, description="The XLSX export: enterprises and cohorts.")
def xlsx(query: dict):
    """The XLSX export: a sheet of the enterprises in the filter with their latest scores and a
    sheet of cohort tables (by industry, town, size)."""
    filters, questionnaire, rows, texts = _export(query, "xlsx")
    lang = current_lang()
    dashboard = bureau_stats.cached_dashboard(db.session, current_app.extensions["cache"], filters)
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, rows, questionnaire, lang, texts, dashboard,
                       exports.shown(filters, lang, _))  # fmt: skip
    return Response(buffer.getvalue(), mimetype=XLSX, headers=_attachment(filters, "xlsx"))
