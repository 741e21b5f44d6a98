"""The dialect's INSERT … ON CONFLICT construct (PostgreSQL and SQLite both have one)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(bind):
    """`insert` of the bind's dialect (a Session or a Connection), which offers
    `on_conflict_do_update` / `on_conflict_do_nothing`."""
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
