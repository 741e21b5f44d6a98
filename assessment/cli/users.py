"""`flask --app app create-user`: create a bureau analyst or an admin account."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assessment.cli.common import problem_text
from assessment.core.enums import Role
from assessment.services import accounts
from assessment.web.extensions import db

STAFF_ROLES = [Role.BUREAU.value, Role.ADMIN.value]


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--password", default=None, help="Prompted for when not given.")
def create_user_command(email: str, role: str, password: str | None) -> None:
    """Create a bureau analyst or an admin account."""
    # Checked here as well as in the service so a taken email is refused before the prompt.
    if accounts.email_taken(db.session, email):
        raise click.ClickException(f"an account with {email} already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.create_staff_user(db.session, email, password, Role(role))
    except accounts.AccountError as exc:
        raise click.ClickException(problem_text(exc.problem)) from exc
    click.echo(f"Created {role} account {email}.")
