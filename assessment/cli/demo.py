"""`flask --app app seed-demo`: fill the database with synthetic, flagged demo enterprises."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assessment.cli.common import registry
from assessment.services.demo import DEMO_PASSWORD, seed_demo
from assessment.services.demo_review import DEMO_OFFICER_EMAIL
from assessment.web.extensions import db


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--enterprises", "count", type=click.IntRange(1, 1_000_000), default=300, show_default=True
)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already has enterprises."
)
def seed_demo_command(count: int, seed: int, if_empty: bool) -> None:
    """Create COUNT synthetic Cixi enterprises with submitted assessments (flagged as demo)."""
    summary = seed_demo(db.session, registry(), count, seed, if_empty=if_empty)
    if summary is None:
        click.echo("Database already has enterprises; demo data not loaded.")
        return
    click.echo(
        f"Created {summary.enterprises} demo enterprises and {summary.assessments} submitted "
        f"assessments in {summary.seconds:.1f} s."
    )
    click.echo(f"Demo bureau login:     {summary.bureau_email} / {DEMO_PASSWORD}")
    click.echo(f"Demo enterprise login: {summary.enterprise_email} / {DEMO_PASSWORD}")
    click.echo(f"Demo town officer:     {DEMO_OFFICER_EMAIL} / {DEMO_PASSWORD}")
