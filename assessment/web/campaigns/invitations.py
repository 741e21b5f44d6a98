"""A campaign's invitations: printable letters (PDF), a CSV for mail merge or SMS, and the reminder
button. Registered on the campaigns blueprint by `routes`."""

from __future__ import annotations

import csv
import io

from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enterprise import is_town, town_label
from assessment.services import audit, campaigns
from assessment.services.exports import neutralise
from assessment.services.models import Campaign
from assessment.web.access import bureau_required
from assessment.web.campaigns import reminders
from assessment.web.campaigns.common import campaign_or_404
from assessment.web.campaigns.forms import ConfirmForm
from assessment.web.campaigns.reminders import questionnaire_titles
from assessment.web.extensions import db
from assessment.web.i18n import current_lang
from reports.letters import Letter, LetterCampaign, build_letters

MAX_LETTERS = 2000  # one PDF; about a minute to build on a busy server


def _chosen_targets(campaign: Campaign) -> list | None:
    """The targets asked for: all or the unregistered only (`which`), of one town (`town`)."""
    unregistered = request.args.get("which", "unregistered") != "all"
    targets = campaigns.invitation_targets(db.session, campaign, unregistered)
    town = request.args.get("town", "")
    if town and is_town(town):
        targets = [t for t in targets if t.town == town]
    return targets


def _link(target) -> str:
    return url_for("join.register", code=target.invite_code, _external=True)


def _back(campaign: Campaign):
    return redirect(url_for("campaigns.show", public_id=campaign.public_id))


@bureau_required
def letters(public_id: str):
    """Printable invitation letters (one A4 page per target) as a PDF."""
    campaign = campaign_or_404(public_id)
    targets, lang = _chosen_targets(campaign), current_lang()
    if not targets:
        flash(_("No target matches, so there is no letter to print."), "warning")
        return _back(campaign)
    if len(targets) > MAX_LETTERS:
        flash(_("That would be %(count)s letters; at most %(max)s fit in one file. Choose a "
                "town.", count=len(targets), max=MAX_LETTERS), "warning")  # fmt: skip
        return _back(campaign)
    about = LetterCampaign(campaign.name, campaign.description, campaign.starts_on,
                           campaign.ends_on, tuple(questionnaire_titles(campaign, lang)),
                           url_for("join.enter", _external=True))  # fmt: skip
    items = [Letter(t.name, t.contact_name, t.uscc, town_label(t.town, lang),
                    campaigns.format_code(t.invite_code), _link(t)) for t in targets]  # fmt: skip
    pdf = build_letters(about, items, lang, current_app.config.get("REPORT_FONT"))
    audit.record(db.session, current_user, audit.EXPORT_INVITATIONS, "campaign",
                 campaign.public_id, {"format": "pdf", "count": len(items)},
                 request.remote_addr)  # fmt: skip
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="invitations-{campaign.public_id}.pdf"'})  # fmt: skip


def mail_merge_rows(targets: list, lang: str) -> list[list[str]]:
    """The CSV's rows: a header, then one row per target (formula-safe cells)."""
    header = [_("Enterprise name"), _("Unified social credit code"), _("Town / subdistrict"),
              _("Contact person"), _("Contact phone"), _("Email"), _("Personal link"),
              _("Invitation code")]  # fmt: skip
    rows = [header]
    for t in targets:
        rows.append([neutralise(v) for v in (
            t.name, t.uscc, town_label(t.town, lang), t.contact_name, t.contact_phone,
            t.contact_email, _link(t), campaigns.format_code(t.invite_code))])  # fmt: skip
    return rows


@bureau_required
def mail_merge(public_id: str):
    """A CSV (UTF-8 with BOM, for Excel) for mail merge or SMS: contact, link and code."""
    campaign = campaign_or_404(public_id)
    targets = _chosen_targets(campaign)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(mail_merge_rows(targets, current_lang()))
    audit.record(db.session, current_user, audit.EXPORT_INVITATIONS, "campaign",
                 campaign.public_id, {"format": "csv", "count": len(targets)},
                 request.remote_addr)  # fmt: skip
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="invitations-{campaign.public_id}.csv"'})  # fmt: skip


@bureau_required
def remind(public_id: str):
    """Email the targets that have not started or not submitted (once a week at most)."""
    campaign = campaign_or_404(public_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The page had expired. Please send it again."), "warning")
        return _back(campaign)
    # In the site's language (Chinese), whatever the bureau reads the page in; links to this site.
    job = reminders.start(current_app._get_current_object(), campaign, current_user,
                          current_app.config["BABEL_DEFAULT_LOCALE"], request.url_root)  # fmt: skip
    audit.record(db.session, current_user, audit.SEND_REMINDERS, "campaign", campaign.public_id,
                 {"job": job.public_id, "due": job.total}, request.remote_addr)  # fmt: skip
    flash(_("Sending %(count)s reminders in the background; this page shows how far it got.",
            count=job.total), "info")  # fmt: skip
    return redirect(url_for("bureau.job", public_id=job.public_id))
