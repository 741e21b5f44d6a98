"""Portable backups: a consistent, streamed dump of every table that restores on SQLite or
PostgreSQL, and `differences` between two databases. Reading and restoring a file: `restore`.
No Flask.

The file is gzip-compressed JSON Lines. Line 1 is a header::

    {"format": "cixi-assessment-backup", "format_version": 1, "alembic_revision": "0004",
     "created_at": "2025-01-01T08:00:00Z", "source_dialect": "sqlite",
     "counts": {"enterprise": 30, ...}, "columns": {"enterprise": ["id", ...], ...}}

then one line per row, tables in foreign-key order, rows in primary-key order::

    {"table": "enterprise", "row": {"id": 1, "created_at": "2025-01-01T08:00:00.123456", ...}}

Datetimes are naive-UTC ISO strings; JSON columns are inline JSON.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from itertools import zip_longest
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Connection, Engine, Row, Table, func, select

from assessment.services.migrate import MIGRATIONS_DIR
from assessment.services.models import Base

FORMAT_NAME = "cixi-assessment-backup"
FORMAT_VERSION = 1
BATCH_SIZE = 2000
# Tables the migrations fill themselves (counters): not "data" when checking that a database is
# empty, and replaced by the backup's rows when the backup has the table.
SEEDED_TABLES = frozenset({"app_state"})
# Tables computed from the others: not in backups, rebuilt after a restore.
DERIVED_TABLES = frozenset(
    {
        "indicator_total",
        "submission_month",
        "latest_point",
        "latest_value",
        "stored_figures",
        "score_bin",
        "score_count",
        "stage_count",
    }
)
# Files made by background jobs (the ZIPs of reports, `services/jobs.py`): large, binary and made
# again by starting the job again, so not in backups; a restored finished job offers no download.
TRANSIENT_TABLES = frozenset({"job_file_chunk"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for an operator."""


@dataclass(frozen=True)
class Header:
    """The first line of a backup file (besides the format name and version)."""

    alembic_revision: str
    created_at: str
    source_dialect: str
    counts: dict[str, int]
    columns: dict[str, list[str]]


def tables() -> list[Table]:
    """Every table holding data (derived ones left out), parents before children (foreign-key
    order)."""
    left_out = DERIVED_TABLES | TRANSIENT_TABLES
    return [t for t in Base.metadata.sorted_tables if t.name not in left_out]


def head_revision() -> str:
    """The newest Alembic revision this code knows."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def table_counts(bind: Connection | Engine) -> dict[str, int]:
    """Row count of every application table."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return table_counts(connection)
    return {t.name: bind.scalar(select(func.count()).select_from(t)) for t in tables()}


def data_counts(counts: dict[str, int]) -> dict[str, int]:
    """The non-zero counts of tables holding data (seeded counter tables left out)."""
    return {name: n for name, n in counts.items() if n and name not in SEEDED_TABLES}


def _snapshot(engine: Engine) -> Connection:
    """A connection in one read-only transaction that sees a single consistent snapshot."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    elif engine.dialect.name == "sqlite":
        # pysqlite only opens transactions for writes; an explicit BEGIN holds one read snapshot.
        connection.exec_driver_sql("BEGIN")
    return connection


def _stream(connection: Connection, table: Table) -> Iterator[list[Row]]:
    """The rows of `table` in primary-key order, in batches (server-side cursor on PostgreSQL)."""
    stmt = select(table).order_by(*table.primary_key.columns)
    yield from connection.execution_options(yield_per=BATCH_SIZE).execute(stmt).partitions()


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _row_lines(table: Table, rows: list[Row]) -> bytes:
    names = [c.name for c in table.columns]
    lines = []
    for row in rows:
        values = {
            n: v.isoformat() if isinstance(v, date) else v for n, v in zip(names, row, strict=True)
        }
        lines.append(_encode({"table": table.name, "row": values}))
    return ("\n".join(lines) + "\n").encode("utf-8")


def dump(engine: Engine, out: Path) -> Header:
    """Write a backup of the database behind `engine` to `out` and return its header.

    One consistent snapshot, streamed; written to a temporary file renamed into place, so a
    failed backup leaves no file. Refuses a database that is not at this code's head revision.
    """
    out, head = Path(out), head_revision()
    with _snapshot(engine) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision != head:
            raise BackupError(
                f"the database is at revision {revision or 'none (no schema)'} but this code "
                f"expects {head}: run `flask --app app init-db` first"
            )
        header = Header(
            revision,
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            engine.dialect.name,
            table_counts(connection),
            {t.name: [c.name for c in t.columns] for t in tables()},
        )
        fd, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as gz:
                    first = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
                    gz.write((_encode(first | asdict(header)) + "\n").encode("utf-8"))
                    for table in tables():
                        for rows in _stream(connection, table):
                            gz.write(_row_lines(table, rows))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(temp_name, out)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    return header


def _plain(value: Any, is_json: bool) -> Any:
    if is_json:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value.isoformat() if isinstance(value, date) else value


def _normalised(table: Table, batches: Iterator[list[Row]]) -> Iterator[tuple]:
    json_columns = [isinstance(c.type, JSON) for c in table.columns]
    for batch in batches:
        for row in batch:
            yield tuple(map(_plain, row, json_columns))


def differences(a: Engine, b: Engine, limit: int = 20) -> list[str]:
    """Rows that differ between two databases, table by table in primary-key order (JSON and
    datetimes normalised); an empty list when they hold exactly the same data."""
    found: list[str] = []
    with _snapshot(a) as left, _snapshot(b) as right:
        for table in tables():
            rows_a = _normalised(table, _stream(left, table))
            rows_b = _normalised(table, _stream(right, table))
            for row_a, row_b in zip_longest(rows_a, rows_b, fillvalue="<no row>"):
                if row_a != row_b:
                    found.append(f"{table.name}: {row_a!r} != {row_b!r}")
                    if len(found) >= limit:
                        return found
    return found
