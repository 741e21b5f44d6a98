"""Importing a campaign's target list: the template, the upload, the preview (nothing saved) and
the commit (one transaction). Registered on the campaigns blueprint by `routes`."""

from __future__ import annotations

import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from assessment.services import audit, target_import
from assessment.services.target_template import write_template
from assessment.web.access import bureau_required
from assessment.web.campaigns import import_job
from assessment.web.campaigns.common import campaign_or_404, import_max_bytes, import_store
from assessment.web.campaigns.forms import ConfirmForm, UploadForm
from assessment.web.extensions import csrf, db
from assessment.web.forms_common import message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_PER_ACTION = 100  # rows listed per action in the preview (all rows with problems are)
SHOWN_PROBLEMS = 1000


@bureau_required
def template():
    """The Excel template of a target list."""
    buffer = io.BytesIO()
    write_template(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="target-list.xlsx"'})  # fmt: skip


def _read_upload(form: UploadForm) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes, reading no more than the limit allows."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Choose a file to upload."))
        return None
    limit = import_max_bytes()
    data = upload.stream.read(limit + 1)
    return upload.filename, data


def _too_large() -> bool:
    """True when the request is over the import limit (the body is then never read)."""
    try:
        request.files  # noqa: B018 - parsing the body is what raises
    except RequestEntityTooLarge:
        return True
    return False


# The app-wide CSRF check would parse the body under the small app-wide limit before this view
# can raise it for target lists; the form's own CSRF field is checked instead (same token).
@csrf.exempt
@bureau_required
def upload(public_id: str):
    """The upload form; a file that can be read is kept and its preview shown (PRG)."""
    campaign = campaign_or_404(public_id)
    limit = import_max_bytes()
    request.max_content_length = limit + 64 * 1024  # Flask 3.1: this request only
    if request.method == "POST" and _too_large():
        form = UploadForm(formdata=None)
        form.file.errors = [_("The file is larger than %(limit)s, the most that can be "
                              "imported at once. Split it into several files.",
                              limit=target_import.size_text(limit))]  # fmt: skip
        return render_template("campaigns/upload.html", campaign=campaign, form=form,
                               limit=target_import.size_text(limit)), 413  # fmt: skip
    form = UploadForm()
    if form.validate_on_submit():
        got = _read_upload(form)
        if got is not None:
            filename, data = got
            try:
                target_import.read_table(filename, data, import_max_bytes())
            except target_import.FileProblem as error:
                form.file.errors.append(message(error.problem))
            else:
                token = import_store().save(data, filename, campaign.public_id,
                                            current_user.id)  # fmt: skip
                return redirect(url_for("campaigns.preview", public_id=campaign.public_id,
                                        token=token))  # fmt: skip
    return render_template("campaigns/upload.html", campaign=campaign, form=form,
                           limit=target_import.size_text(limit))  # fmt: skip


def _pending(campaign, token: str):
    pending = import_store().load(token, campaign.public_id, current_user.id)
    if pending is None:
        flash(_("That upload is no longer kept (uploads wait 12 hours). Please upload the file "
                "again."), "warning")  # fmt: skip
    return pending


def _render_preview(campaign, pending, plan):
    plans = plan.plans
    problems = [p for p in plans if p.row.errors or p.row.notes]
    by_action = {a: [p for p in plans if p.action == a][:SHOWN_PER_ACTION]
                 for a in (target_import.CREATE, target_import.UPDATE)}  # fmt: skip
    return render_template(
        "campaigns/preview.html", campaign=campaign, token=pending.token, filename=pending.filename,
        plan=plan, problems=problems[:SHOWN_PROBLEMS], more_problems=max(0, len(problems) - SHOWN_PROBLEMS),
        by_action=by_action, shown=SHOWN_PER_ACTION, form=ConfirmForm(),
    )  # fmt: skip


def _plan(campaign, pending):
    table = target_import.read_table(pending.filename, pending.data, import_max_bytes())
    return target_import.preview(db.session, campaign, table)


@bureau_required
def preview(public_id: str, token: str):
    """Every row's problems and what the import would create or update; nothing is saved."""
    campaign = campaign_or_404(public_id)
    pending = _pending(campaign, token)
    if pending is None:
        return redirect(url_for("campaigns.upload", public_id=public_id))
    return _render_preview(campaign, pending, _plan(campaign, pending))


@bureau_required
def commit(public_id: str, token: str):
    """Import the previewed file as a background job (checked here, and again by the job, which
    writes all rows or none in one transaction); the job's status page follows."""
    campaign = campaign_or_404(public_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    pending = _pending(campaign, token)
    if pending is None:
        return redirect(url_for("campaigns.upload", public_id=public_id))
    plan = _plan(campaign, pending)
    if not plan.ok:
        flash(_("The file has problems, so nothing was imported. Correct them in the file and "
                "upload it again."), "error")  # fmt: skip
        return _render_preview(campaign, pending, plan)
    job = import_job.start(current_app._get_current_object(), campaign, pending, current_user,
                           len(plan.plans))  # fmt: skip
    import_store().discard(token)
    audit.record(db.session, current_user, audit.IMPORT_TARGETS, "campaign", campaign.public_id,
                 {"file": pending.filename[:200], "rows": len(plan.plans), "job": job.public_id},
                 request.remote_addr)  # fmt: skip
    flash(_("Importing %(rows)s rows in the background; this page shows how far it got.",
            rows=len(plan.plans)), "info")  # fmt: skip
    return redirect(url_for("bureau.job", public_id=job.public_id))
