"""Schema management through Alembic: the only way the schema is created or changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config for the project's migrations against `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


# Any constant: the key of the PostgreSQL advisory lock held by whoever is migrating.
MIGRATION_LOCK = 0x6378_6173


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` (idempotent).

    On PostgreSQL one runner at a time: a second `init-db` started meanwhile (two nodes starting
    together) waits for the first to commit, then finds nothing left to do."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The database's current Alembic revision, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def sqlite_rebuild_safely(bind: Connection) -> Iterator[None]:
    """For migrations that rebuild tables on SQLite (to drop a column or change a constraint,
    SQLite copies the table, DROPs the old one and renames the copy).

    With foreign keys on, that DROP cascade-deletes every row referring to the table (the score
    rows of the assessments) and refuses to drop a referenced enterprise. So foreign keys are off
    meanwhile — a PRAGMA only honoured outside a transaction — and checked before the one
    transaction doing the rebuild commits. Other databases run the block unchanged.
    """
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()  # the revisions before this one, complete
    enabled = raw.execute("PRAGMA foreign_keys").fetchone()[0]
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        raw.execute("BEGIN")
        try:
            yield
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the table rebuilds: {broken[:10]}")
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
    finally:
        raw.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
