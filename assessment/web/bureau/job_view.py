"""What the status page of a background job says, by its kind: title, progress, the summary when
done, where to go back. The failure reason is stored as an English msgid or an error text and
shown translated when a catalog has it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from assessment.services.models import Job


@dataclass(frozen=True)
class JobView:
    """The texts of one job's status page."""

    title: str
    progress: str
    summary: str | None
    failure: str
    reason: str | None
    back_url: str
    back_label: str
    download: bool


def job_view(job: Job) -> JobView:
    """The status page's texts for `job`."""
    builder = {"campaign_reminders": _reminders, "target_import": _target_import}.get(
        job.kind, _batch_reports
    )
    view = builder(job)
    reason = _(job.error) if job.error else None
    return JobView(**(view | {"reason": reason}))


def _batch_reports(job: Job) -> dict:
    reports = (job.result or {}).get("reports", job.done)
    return {
        "title": _("PDF reports of the selected enterprises"),
        "progress": _("%(done)s of %(total)s reports built.", done=job.done, total=job.total),
        "summary": _("%(count)s reports are in the ZIP.", count=reports),
        "failure": _(
            "Building the reports failed. Please try again; if it fails again, tell "
            "the administrator."
        ),  # fmt: skip
        "back_url": url_for("bureau.dashboard"),
        "back_label": _("Back to the dashboard"),
        "download": True,
    }


def _campaign_back(job: Job) -> dict:
    return {
        "back_url": url_for("campaigns.show", public_id=job.params["campaign"]),
        "back_label": _("Back to the campaign"),
        "download": False,
    }


def _reminders(job: Job) -> dict:
    done = job.result or {}
    summary = _("Reminders sent: %(sent)s. Left out: %(recent)s reminded in the last 7 days, "
                "%(none)s without an email address.", sent=done.get("sent", 0),
                recent=done.get("recent", 0), none=done.get("no_email", 0))  # fmt: skip
    if done.get("failed"):
        summary += " " + _("%(failed)s reminders could not be sent (the mail server refused "
                           "them); they are logged and can be sent again.", failed=done["failed"])  # fmt: skip
    return {
        "title": _("Sending reminders"),
        "progress": _("%(done)s of %(total)s reminders handled.", done=job.done, total=job.total),
        "summary": summary,
        "failure": _(
            "Sending the reminders stopped. Reminders already sent are not sent again; "
            "send the rest from the campaign page."
        ),  # fmt: skip
    } | _campaign_back(job)


def _target_import(job: Job) -> dict:
    done = job.result or {}
    summary = _("Imported: %(created)s new targets, %(updated)s updated, %(unchanged)s "
                "unchanged; %(bound)s linked to registered enterprises.",
                created=done.get("created", 0), updated=done.get("updated", 0),
                unchanged=done.get("unchanged", 0), bound=done.get("bound", 0))  # fmt: skip
    return {
        "title": _("Importing the target list"),
        "progress": _("%(done)s of %(total)s rows checked.", done=job.done, total=job.total),
        "summary": summary,
        "failure": _(
            "The import failed and nothing was saved. Please upload the file again; "
            "if it fails again, tell the administrator."
        ),  # fmt: skip
    } | _campaign_back(job)
