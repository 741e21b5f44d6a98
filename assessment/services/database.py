"""Engines with the settings each database needs for real use. No Flask."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event


def create_engine_for(url: str, echo: bool = False) -> Engine:
    """Create an engine with the settings each backend needs for real use.

    SQLite gets WAL, a busy timeout and foreign keys on every connection, so that
    concurrent submits wait instead of failing with "database is locked".
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)
