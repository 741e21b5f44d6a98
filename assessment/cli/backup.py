"""`flask --app app backup` and `flask --app app restore`: thin wrappers of `backup`/`restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from assessment.services import backup, restore
from assessment.services.migrate import upgrade
from assessment.web.extensions import db


def _echo_counts(counts: dict[str, int]) -> None:
    width = max(len(name) for name in counts)
    for name, n in counts.items():
        click.echo(f"  {name:<{width}}  {n:>10,}")


@click.command("backup")
@with_appcontext
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (gzip-compressed JSON Lines, e.g. backup-2025-01-31.jsonl.gz).",
)
def backup_command(out: Path) -> None:
    """Write a consistent snapshot of every table to OUT; it restores on SQLite or PostgreSQL."""
    try:
        header = backup.dump(db.engine, out)
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(f"backup failed, no file written: {exc}") from exc
    _echo_counts(header.counts)
    click.echo(
        f"Backup of {sum(header.counts.values()):,} rows at revision {header.alembic_revision} "
        f"written to {out} ({out.stat().st_size:,} bytes)."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete every row first when the database has data.")
@click.option("--yes", is_flag=True, help="Do not ask before deleting rows (with --replace).")
def restore_command(path: Path, replace: bool, yes: bool) -> None:
    """Restore the backup PATH into this app's database (empty, or emptied with --replace).

    The schema is migrated to the newest revision first; the rows go in in one transaction, so
    a failed restore writes nothing.
    """
    try:
        header = restore.read_header(path)
        upgrade(db.engine)
        existing = backup.data_counts(backup.table_counts(db.engine))
        if existing and not replace:
            raise backup.BackupError(
                "the database is not empty; restore into an empty database, or pass --replace "
                "to delete its rows first:\n"
                + "\n".join(f"  {name}: {n:,} rows" for name, n in existing.items())
            )
        if existing and not yes:
            total = sum(existing.values())
            click.confirm(
                f"Delete all {total:,} rows of {db.engine.url.render_as_string()} "
                f"and restore {path}?",
                abort=True,
            )
        header = restore.restore(db.engine, path, replace=replace)
    except backup.BackupError as exc:
        raise click.ClickException(f"restore refused or failed, nothing written: {exc}") from exc
    _echo_counts(header.counts)
    click.echo(
        f"Restored {sum(header.counts.values()):,} rows from {path} (made {header.created_at} "
        f"on {header.source_dialect} at revision {header.alembic_revision})."
    )
