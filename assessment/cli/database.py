"""`flask --app app init-db` and `rebuild-totals`: schema migrations and derived-table repair."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assessment.services import derived, stored_figures
from assessment.services.cache import bump_generation
from assessment.services.migrate import current_revision, upgrade
from assessment.web.extensions import db


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema to the newest migration (idempotent)."""
    upgrade(db.engine)
    click.echo(f"Database ready at revision {current_revision(db.engine)}.")


@click.command("rebuild-totals")
@with_appcontext
def rebuild_totals_command() -> None:
    """Recompute the per-question totals behind the dashboard's weakest indicators and the
    submissions per month behind its trend from the stored assessments, and forget the stored
    figures of ended periods (only needed after rows were changed outside the application)."""
    derived.rebuild(db.session)
    stored_figures.forget(db.session)
    bump_generation(db.session, history=True)  # cached figures came from the old totals
    db.session.commit()
    click.echo("Per-question totals rebuilt.")
