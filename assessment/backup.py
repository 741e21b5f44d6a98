"""Portable backups: a consistent, streamed dump of every table that restores on SQLite or
PostgreSQL. No Flask.

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
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Connection, DateTime, Engine, Table, func, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from .migrate import MIGRATIONS_DIR, upgrade
from .models import Base

FORMAT_NAME = "cixi-assessment-backup"
FORMAT_VERSION = 1
BATCH_SIZE = 2000
# Columns that migrations have dropped: present in older backups, ignored on restore.
KNOWN_DROPPED_COLUMNS: dict[str, frozenset[str]] = {"assessment": frozenset({"result"})}
# Tables the migrations fill themselves (counters): not "data" when checking that a database is
# empty, and replaced by the backup's rows when the backup has the table.
SEEDED_TABLES = frozenset({"app_state"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for an operator."""


@dataclass(frozen=True)
class Header:
    """The first line of a backup file."""

    revision: str
    created_at: str
    source_dialect: str
    counts: dict[str, int]
    columns: dict[str, list[str]]


def tables() -> list[Table]:
    """Every table of the application, parents before children (foreign-key order)."""
    return list(Base.metadata.sorted_tables)


def head_revision() -> str:
    """The newest Alembic revision this code knows."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def table_counts(connection_or_engine: Connection | Engine) -> dict[str, int]:
    """Row count of every application table."""
    if isinstance(connection_or_engine, Engine):
        with connection_or_engine.connect() as connection:
            return table_counts(connection)
    connection = connection_or_engine
    return {t.name: connection.scalar(select(func.count()).select_from(t)) for t in tables()}


def data_counts(counts: dict[str, int]) -> dict[str, int]:
    """The non-zero counts of tables holding data (seeded counter tables left out)."""
    return {name: n for name, n in counts.items() if n and name not in SEEDED_TABLES}


def _snapshot(engine: Engine) -> Connection:
    """A connection in one read-only transaction that sees a single consistent snapshot."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    elif engine.dialect.name == "sqlite":
        # pysqlite only opens transactions for writes; an explicit BEGIN holds one read snapshot.
        connection.exec_driver_sql("BEGIN")
    return connection


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _line(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _stream(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """The rows of `table` in primary-key order, fetched in batches (server-side on PostgreSQL)."""
    result = connection.execution_options(yield_per=BATCH_SIZE).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for row in result.mappings():
        yield dict(row)


def dump(engine: Engine, out: Path) -> Header:
    """Write a backup of the database behind `engine` to `out` (atomically) and return its header.

    Refuses a database whose schema is not at this code's head revision.
    """
    out = Path(out)
    head = head_revision()
    with _snapshot(engine) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision != head:
            raise BackupError(
                f"the database is at revision {revision or 'none (no schema)'} but this code "
                f"expects {head}: run `flask --app app init-db` first"
            )
        header = Header(
            revision=revision,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            source_dialect=engine.dialect.name,
            counts=table_counts(connection),
            columns={t.name: [c.name for c in t.columns] for t in tables()},
        )
        fd, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as gz:
                gz.write(_line(_header_object(header)))
                for table in tables():
                    written = 0
                    for row in _stream(connection, table):
                        row = {k: _encode(v) for k, v in row.items()}
                        gz.write(_line({"table": table.name, "row": row}))
                        written += 1
                    if written != header.counts[table.name]:  # impossible in a snapshot
                        raise BackupError(f"{table.name} changed while it was being read")
                gz.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(temp_name, out)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        connection.rollback()
    return header


def _header_object(header: Header) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "alembic_revision": header.revision,
        "created_at": header.created_at,
        "source_dialect": header.source_dialect,
        "counts": header.counts,
        "columns": header.columns,
    }


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, parsed object) for each line, with read errors turned into BackupError."""
    number = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):  # noqa: B007 - the errors below use it
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BackupError(f"{path}: line {number} is not valid JSON ({exc})") from exc
                if not isinstance(obj, dict):
                    raise BackupError(f"{path}: line {number} is not a JSON object")
                yield number, obj
    except gzip.BadGzipFile as exc:
        raise BackupError(f"{path}: not a gzip file, or a corrupt one ({exc})") from exc
    except (EOFError, zlib.error) as exc:
        raise BackupError(f"{path}: the file is truncated or corrupt after line {number}") from exc
    except UnicodeDecodeError as exc:
        raise BackupError(f"{path}: not UTF-8 text after line {number}") from exc


def read_header(path: Path) -> Header:
    """Read and check the header of a backup file; BackupError says what is wrong with it."""
    with closing(_lines(Path(path))) as lines:
        first = next(lines, None)
    if first is None:
        raise BackupError(f"{path}: the file is empty")
    obj = first[1]
    if obj.get("format") != FORMAT_NAME:
        raise BackupError(f"{path}: not a {FORMAT_NAME} file")
    if not isinstance(obj.get("format_version"), int) or obj["format_version"] > FORMAT_VERSION:
        raise BackupError(
            f"{path}: format version {obj.get('format_version')} is newer than this code "
            f"reads ({FORMAT_VERSION})"
        )
    try:
        header = Header(
            revision=str(obj["alembic_revision"]),
            created_at=str(obj["created_at"]),
            source_dialect=str(obj["source_dialect"]),
            counts={str(k): int(v) for k, v in obj["counts"].items()},
            columns={str(k): [str(c) for c in v] for k, v in obj["columns"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(f"{path}: the header is incomplete ({exc!r})") from exc
    _check_revision(header.revision)
    _check_columns(header)
    return header


def _check_revision(revision: str) -> None:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"the backup was made at database revision {revision}, which is newer than this "
            f"code (its newest revision is {script.get_current_head()}): restore it with the "
            "code version that made it"
        )


def _check_columns(header: Header) -> None:
    """Every table and column of the backup must exist here (or be a known dropped one), and
    every column missing from it must be optional."""
    by_name = {t.name: t for t in tables()}
    for name, columns in header.columns.items():
        table = by_name.get(name)
        if table is None:
            raise BackupError(f"the backup has a table {name} that this code does not know")
        unknown = set(columns) - set(table.columns.keys()) - KNOWN_DROPPED_COLUMNS.get(name, set())
        if unknown:
            raise BackupError(f"the backup's {name} table has unknown columns: {sorted(unknown)}")
        for column in table.columns:
            optional = column.nullable or column.default is not None or column.server_default
            if column.name not in columns and (column.primary_key or not optional):
                raise BackupError(f"the backup's {name} table lacks required column {column.name}")
    missing = set(header.counts) ^ set(header.columns)
    if missing:
        raise BackupError(f"the header's counts and columns disagree on {sorted(missing)}")


def restore(engine: Engine, path: Path, replace: bool = False) -> Header:
    """Restore the backup at `path` into the database behind `engine`, in one transaction.

    The schema is upgraded to head first. The database must hold no data unless `replace` is
    true, in which case every table is emptied first. Returns the backup's header.
    """
    path = Path(path)
    header = read_header(path)
    upgrade(engine)
    with engine.connect() as connection:
        try:
            _lock(connection)
            existing = data_counts(table_counts(connection))
            if existing and not replace:
                raise BackupError(f"the database is not empty ({_describe(existing)})")
            _empty(connection, header, everything=replace)
            _insert_rows(connection, path, header)
            _advance_sequences(connection)
            connection.commit()
        except (DBAPIError, StatementError) as exc:
            connection.rollback()
            raise BackupError(f"restore failed, nothing was written: {exc}") from exc
        except BaseException:
            connection.rollback()
            raise
    return header


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}: {n} rows" for name, n in counts.items())


def _lock(connection: Connection) -> None:
    """Keep every writer out until the restore commits."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
        names = ", ".join(t.name for t in tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


def _empty(connection: Connection, header: Header, everything: bool) -> None:
    """Delete every row (when replacing) or only the seeded rows the backup brings again."""
    for table in reversed(tables()):
        if everything or (table.name in SEEDED_TABLES and table.name in header.columns):
            connection.execute(table.delete())


def _insert_rows(connection: Connection, path: Path, header: Header) -> None:
    """Stream the rows into their tables in batches, checking order, columns and counts."""
    specs = {t.name: t for t in tables() if t.name in header.columns}  # foreign-key order
    rank = {name: i for i, name in enumerate(specs)}
    columns = {name: set(header.columns[name]) for name in specs}
    counts = dict.fromkeys(specs, 0)
    batch: list[dict[str, Any]] = []
    current: str | None = None

    def flush() -> None:
        if batch:
            connection.execute(specs[current].insert(), batch)
            batch.clear()

    with closing(_lines(path)) as lines:
        next(lines)  # the header, already checked
        for number, obj in lines:
            name, row = obj.get("table"), obj.get("row")
            if name not in specs or not isinstance(row, dict) or row.keys() != columns[name]:
                raise BackupError(f"{path}: line {number} is not a row the header describes")
            if name != current:
                if current is not None and rank[name] < rank[current]:
                    raise BackupError(f"{path}: line {number}: rows are not in foreign-key order")
                flush()
                current = name
                dropped = KNOWN_DROPPED_COLUMNS.get(name, frozenset()) & columns[name]
                datetimes = [c.name for c in specs[name].columns if isinstance(c.type, DateTime)]
            for column in dropped:
                del row[column]
            for column in datetimes:
                if isinstance(row.get(column), str):
                    row[column] = datetime.fromisoformat(row[column])
            batch.append(row)
            counts[name] += 1
            if len(batch) >= BATCH_SIZE:
                flush()
    flush()
    if counts != header.counts:
        short = {
            n: f"{counts[n]} of {header.counts[n]}" for n in counts if counts[n] != header.counts[n]
        }
        raise BackupError(f"{path}: the file is incomplete (rows read: {short})")


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each serial sequence past the largest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table.name}"
            ),
            {"table": table.name, "column": column.name},
        )


def _normalise(table: Table, row: dict[str, Any]) -> tuple:
    values = []
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, JSON):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        elif isinstance(value, datetime):
            value = value.isoformat()
        values.append(value)
    return tuple(values)


def differences(a: Engine, b: Engine, limit: int = 20) -> list[str]:
    """Rows that differ between two databases, table by table in primary-key order (JSON and
    datetimes normalised); an empty list when they hold exactly the same data."""
    found: list[str] = []
    with _snapshot(a) as left, _snapshot(b) as right:
        for table in tables():
            rows_a = (_normalise(table, r) for r in _stream(left, table))
            rows_b = (_normalise(table, r) for r in _stream(right, table))
            for row_a, row_b in zip_longest(rows_a, rows_b, fillvalue="<no row>"):
                if row_a != row_b:
                    found.append(f"{table.name}: {row_a!r} != {row_b!r}")
                    if len(found) >= limit:
                        return found
    return found
