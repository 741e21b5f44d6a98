"""Sending a campaign's reminder emails (the campaign page's button and `flask campaign-remind`):
at most one per target per week, each attempt logged, failures counted and never fatal."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import url_for

from assessment.core.enterprise import town_label
from assessment.core.text import N_
from assessment.services import campaign_reminders, campaigns
from assessment.services.models import Campaign, User
from assessment.web.access import registry
from assessment.web.extensions import db
from assessment.web.mail import send_mail

log = logging.getLogger(__name__)
# send_mail translates the subject without parameters: the campaign is named in the body.
SUBJECT = N_("Reminder: your enterprise's digital maturity self-assessment")


@dataclass
class Sent:
    """What a round of reminders did."""

    sent: int
    failed: int
    recent: int  # left out: reminded within the last week
    no_email: int  # left out: no address to write to


def questionnaire_titles(campaign: Campaign, lang: str) -> list[str]:
    """The titles of the campaign's questionnaires in `lang`."""
    found = (registry().get(qid) for qid in campaign.questionnaire_ids)
    return [q.title.get(lang) for q in found if q is not None]


def send_reminders(campaign: Campaign, by: User | None, lang: str = "zh") -> Sent:
    """Mail every target due a reminder (needs a request context for the links), logging each
    attempt as it goes; a failed mail is logged and counted, and the next target still gets its."""
    due = campaign_reminders.due(db.session, campaign)
    result = Sent(0, 0, due.recent, due.no_email)
    titles = questionnaire_titles(campaign, lang)
    for item in due.due:
        target = item.target
        if item.registered:
            link = url_for("auth.login", _external=True)
        else:
            link = url_for("join.register", code=target.invite_code, _external=True)
        ok = send_mail(
            item.email,
            SUBJECT,
            "campaign_reminder",
            lang=lang,
            campaign=campaign,
            target=target,
            town=town_label(target.town, lang),
            kind=item.kind,
            registered=item.registered,
            link=link,
            code=campaigns.format_code(target.invite_code),
            join_url=url_for("join.enter", _external=True),
            questionnaires=titles,
        )
        campaign_reminders.log(db.session, item, ok, by.id if by is not None else None)
        if ok:
            result.sent += 1
        else:
            result.failed += 1
            log.warning("campaign %s: reminder to target %s failed", campaign.public_id, target.id)
    return result
