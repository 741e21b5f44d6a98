"""`flask --app app create-user`: create a bureau analyst, an admin, a service provider or a town
officer account."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assessment.cli.common import problem_text
from assessment.core.enterprise import towns as all_towns
from assessment.core.enums import Role
from assessment.services import accounts, town_officers
from assessment.web.extensions import db

ROLES = [Role.BUREAU.value, Role.ADMIN.value, Role.PROVIDER.value, Role.TOWN_OFFICER.value]


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--organisation",
    default=None,
    help="The service provider's organisation (required with --role provider), e.g. XX科技.",
)
@click.option(
    "--towns",
    default=None,
    help="The town officer's towns (required with --role town_officer), comma-separated codes "
    "of data/cixi.yaml, e.g. zhouxiang,guanhaiwei.",
)
@click.option("--password", default=None, help="Prompted for when not given.")
def create_user_command(
    email: str, role: str, organisation: str | None, towns: str | None, password: str | None
) -> None:
    """Create a bureau analyst, an admin or a service provider (数字化服务商) account."""
    # Checked here as well as in the service so a taken email is refused before the prompt.
    if accounts.email_taken(db.session, email):
        raise click.ClickException(f"an account with {email} already exists")
    if role == Role.PROVIDER and not (organisation or "").strip():
        raise click.UsageError("--organisation is required for a service provider account")
    if role != Role.PROVIDER and organisation:
        raise click.UsageError("--organisation is only for service provider accounts")
    town_codes = (towns or "").split(",")
    if role == Role.TOWN_OFFICER:
        problem = town_officers.clean_towns(town_codes)[1]
        if problem is not None:  # before the password prompt, and with the known codes
            known = ", ".join(t.code for t in all_towns())
            raise click.UsageError(f"--towns: {problem_text(problem)} Known towns: {known}")
    elif towns:
        raise click.UsageError("--towns is only for town officer accounts")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if role == Role.PROVIDER:
            accounts.create_provider_user(db.session, email, password, organisation or "")
        elif role == Role.TOWN_OFFICER:
            town_officers.create_town_officer(db.session, email, password, town_codes)
        else:
            accounts.create_staff_user(db.session, email, password, Role(role))
    except accounts.AccountError as exc:
        raise click.ClickException(problem_text(exc.problem)) from exc
    suffix = f" for {organisation.strip()}" if role == Role.PROVIDER and organisation else ""
    if role == Role.TOWN_OFFICER:
        suffix = " for " + ", ".join(town_officers.clean_towns(town_codes)[0])
    click.echo(f"Created {role} account {email}{suffix}.")
