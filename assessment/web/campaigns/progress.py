"""A campaign's progress for the bureau and the town officers: by town and by industry, a chart,
and the laggards per town (with their contacts) to call, exportable as CSV and XLSX."""

from __future__ import annotations

import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assessment.core.enterprise import industry_label, is_town, town_label
from assessment.services import audit, campaign_progress, campaigns, laggards
from assessment.services.town_officers import in_scope
from assessment.web.access import current_scope, reader_required, registry
from assessment.web.campaigns.common import campaign_or_404
from assessment.web.charts import progress_chart
from assessment.web.extensions import db
from assessment.web.i18n import current_lang

bp = Blueprint("campaign_progress", __name__, url_prefix="/bureau/campaigns")
# Laggards listed per town on the page; the exports hold them all.
SHOWN_PER_TOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {
    campaign_progress.NOT_REGISTERED: _l("Not registered"),
    campaign_progress.NOT_STARTED: _l("Registered, not started"),
    campaign_progress.IN_PROGRESS: _l("Started, not submitted"),
    campaign_progress.RETURNED: _l("Returned for correction"),
    campaign_progress.SUBMITTED: _l("Submitted, awaiting review"),
    campaign_progress.APPROVED: _l("Approved"),
}


@bp.app_template_filter("progress_status")
def _progress_status(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


@bp.get("/progress")
@reader_required
def index():
    """Every campaign, the latest ending first, each linking to its progress (the way in for
    town officers, who do not manage campaigns)."""
    rows = campaigns.listing(db.session, current_app.config["DEMO_MODE"])
    return render_template("campaigns/progress_index.html", rows=rows)


@bp.get("/<public_id>/progress")
@reader_required
def show(public_id: str):
    """Targets, registered, started, submitted, approved and completion by town and industry,
    a chart, and the laggards of each town."""
    campaign = campaign_or_404(public_id)
    scope = current_scope()
    data = campaign_progress.progress(db.session, campaign, scope)
    audit.record(db.session, current_user, audit.VIEW_PROGRESS, "campaign", campaign.public_id,
                 {"name": campaign.name, "towns": sorted(scope) if scope is not None else None},
                 request.remote_addr)  # fmt: skip
    lang = current_lang()
    chart = None
    if data.total.targets:
        chart = progress_chart([(town_label(g.key, lang), g) for g in data.by_town])
    titles = [registry().get(qid) for qid in campaign.questionnaire_ids or ()]
    return render_template(
        "campaigns/progress.html", campaign=campaign, data=data, chart=chart, scope=scope,
        questionnaires=[q for q in titles if q is not None], shown=SHOWN_PER_TOWN,
        industry_label=lambda code: industry_label(code, lang),
    )  # fmt: skip


@bp.get("/<public_id>/laggards.<fmt>")
@reader_required
def laggards_export(public_id: str, fmt: str):
    """The laggards (not registered, not started, not submitted, returned) with their contacts,
    of every town in view or of one (`?town=`), as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    campaign = campaign_or_404(public_id)
    scope = current_scope()
    town = request.args.get("town") or None
    if town is not None and not (is_town(town) and in_scope(town, scope)):
        flash(_("That town is not one you can see; nothing was exported."), "warning")
        return redirect(url_for("campaign_progress.show", public_id=public_id))
    states = campaign_progress.laggards_of(db.session, campaign, scope, town)
    action = audit.EXPORT_LAGGARDS
    audit.record(db.session, current_user, action, "campaign", campaign.public_id,
                 {"format": fmt, "town": town, "rows": len(states),
                  "towns": sorted(scope) if scope is not None else None},
                 request.remote_addr)  # fmt: skip
    lang = current_lang()
    titles = {key: _(msgid) for key, msgid in laggards.COLUMNS.items()}
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    name = f"cixi-laggards-{town or 'all'}-{date.today().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "private, no-store"}  # fmt: skip
    if fmt == "csv":
        body = b"".join(laggards.csv_bytes(states, lang, titles, labels))
        return Response(body, mimetype="text/csv; charset=utf-8", headers=headers)
    buffer = io.BytesIO()
    laggards.write_xlsx(buffer, states, lang, titles, labels, _("To call"))
    return Response(buffer.getvalue(), mimetype=XLSX, headers=headers)
