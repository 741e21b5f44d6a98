"""`flask --app app campaign-remind CAMPAIGN`: email the targets of a campaign that have not started
or not submitted (at most one reminder per target per week), e.g. daily from cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from assessment.core.enums import JobStatus
from assessment.services import audit, campaign_reminders, campaigns
from assessment.services.models import Campaign, Job
from assessment.web.campaigns import reminders
from assessment.web.extensions import db
from assessment.web.jobs import run_attempt

# What `make run` serves: the links in the mails point here unless told otherwise.
DEV_BASE_URL = "http://127.0.0.1:5000"


def find_campaign(key: str) -> Campaign:
    """A campaign by its id (as in its URL) or its exact name; ClickException when none or
    several match."""
    found = campaigns.by_public_id(db.session, key, with_demo=True)
    if found is not None:
        return found
    named = db.session.scalars(select(Campaign).where(Campaign.name == key.strip())).all()
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(c.public_id for c in named)
        raise click.ClickException(f"several campaigns are called {key!r}; give the id: {ids}")
    raise click.ClickException(f"no campaign {key!r} (give its id from its URL, or its name)")


@click.command("campaign-remind")
@click.argument("campaign")
@click.option("--base-url", envvar="PUBLIC_BASE_URL", default=None,
              help="Where the site is served (the links in the mails); env PUBLIC_BASE_URL. "
                   f"Default: {DEV_BASE_URL} (make run).")  # fmt: skip
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--dry-run", is_flag=True, help="Only say how many reminders are due.")
@with_appcontext
def campaign_remind_command(campaign: str, base_url: str | None, lang: str, dry_run: bool) -> None:
    """Email the targets of CAMPAIGN (its id or name) that have not started or not submitted.

    A target gets at most one reminder a week, so running this daily is safe. Every attempt is
    logged; the command exits with status 1 when some mails could not be sent."""
    found = find_campaign(campaign)
    if dry_run:
        due = campaign_reminders.due(db.session, found)
        click.echo(f"{len(due.due)} reminders due; left out: {due.recent} reminded in the last "
                   f"7 days, {due.no_email} without an email address.")  # fmt: skip
        return
    if base_url is None:
        base_url = DEV_BASE_URL
        click.echo(f"No --base-url (or PUBLIC_BASE_URL): links point to {base_url}.", err=True)
    app = current_app._get_current_object()
    job = reminders.start(app, found, None, lang, base_url)
    # Run here and now (cron waits for the outcome); the job row makes it durable all the same:
    # if this process dies, a worker's reaper takes the job over.
    run_attempt(app, job.id)
    job = db.session.get(Job, job.id, populate_existing=True)
    done = job.result or {"sent": 0, "failed": 0, "recent": 0, "no_email": 0}
    audit.record(db.session, None, audit.SEND_REMINDERS, "campaign", found.public_id,
                 {"sent": done["sent"], "failed": done["failed"], "by": "cli", "job": job.public_id})  # fmt: skip
    click.echo(f"{found.name}: {done['sent']} reminders sent, {done['failed']} failed; left out: "
               f"{done['recent']} reminded in the last 7 days, {done['no_email']} without an "
               "email address.")  # fmt: skip
    if job.status != JobStatus.DONE:
        click.echo(
            f"Job {job.public_id}: {job.status} ({job.error}); a worker retries it.", err=True
        )
    if done["failed"]:
        raise click.exceptions.Exit(1)
