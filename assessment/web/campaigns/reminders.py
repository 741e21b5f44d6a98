"""Sending a campaign's reminder emails as a background job (`web/jobs.py`; started by the campaign
page's button and `flask campaign-remind`): at most one per target per week, each mail logged
right after it is sent, failures counted; an attempt whose every mail was refused is retried."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import Flask, url_for

from assessment.core.enterprise import town_label
from assessment.core.text import N_
from assessment.services import campaign_reminders, campaigns
from assessment.services.models import Campaign, Job, User
from assessment.web import jobs
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


KIND = "campaign_reminders"
EVERY_ONE_REFUSED = N_("The mail server refused every reminder of this attempt.")


def start(app: Flask, campaign: Campaign, by: User | None, lang: str, base_url: str) -> Job:
    """Queue a job mailing every target due a reminder; the links point to `base_url`."""
    due = campaign_reminders.due(db.session, campaign)
    params = {"campaign": campaign.public_id, "lang": lang, "base_url": base_url,
              "by": by.id if by is not None else None}  # fmt: skip
    return jobs.submit(app, KIND, params, user_id=by.id if by is not None else None,
                       total=len(due.due))  # fmt: skip


@jobs.handler(KIND)
def run(attempt: jobs.Attempt) -> jobs.Outcome:
    """Send the reminders due now. A run after a killed worker finds the targets reminded before
    it in the log (`campaign_reminders.due` leaves them out), so no one gets a second mail."""
    params = attempt.job.params
    campaign = campaigns.by_public_id(db.session, params["campaign"], with_demo=True)
    with attempt.app.test_request_context(base_url=params["base_url"]):
        done = send_reminders(campaign, params["by"], params["lang"], attempt.progress)
    result = asdict(done)
    if done.failed and not done.sent:
        attempt.progress(done.failed, result=result)
        raise jobs.JobError(EVERY_ONE_REFUSED)
    return jobs.Outcome(result=result)


def send_reminders(campaign: Campaign, by_id: int | None, lang: str = "zh",
                   progress: Callable[..., None] | None = None) -> Sent:  # fmt: skip
    """Mail every target due a reminder (needs a request context for the links), logging each
    attempt as it goes; a failed mail is logged and counted, and the next target still gets its."""
    due = campaign_reminders.due(db.session, campaign)
    result = Sent(0, 0, due.recent, due.no_email)
    titles = questionnaire_titles(campaign, lang)
    if progress is not None:
        progress(0, len(due.due), asdict(result))
    for item in due.due:
        ok = _send_one(campaign, item, lang, titles)
        campaign_reminders.log(db.session, item, ok, by_id)
        if ok:
            result.sent += 1
        else:
            result.failed += 1
            log.warning("campaign %s: reminder to target %s failed", campaign.public_id,
                        item.target.id)  # fmt: skip
        if progress is not None:
            progress(result.sent + result.failed, None, asdict(result))
    return result


def _send_one(campaign: Campaign, item, lang: str, titles: list[str]) -> bool:
    target = item.target
    if item.registered:
        link = url_for("auth.login", _external=True)
    else:
        link = url_for("join.register", code=target.invite_code, _external=True)
    return send_mail(
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
