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
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import zip_longest
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Connection, DateTime, Engine, Row, Table, func, select, text
from sqlalchemy.exc import StatementError

from assessment.services import indicator_totals
from assessment.services.migrate import MIGRATIONS_DIR, upgrade
from assessment.services.models import Base

FORMAT_NAME = "cixi-assessment-backup"
FORMAT_VERSION = 1
BATCH_SIZE = 2000
# Columns that migrations have dropped: present in older backups, ignored on restore.
KNOWN_DROPPED_COLUMNS: dict[str, frozenset[str]] = {"assessment": frozenset({"result"})}
# Tables the migrations fill themselves (counters): not "data" when checking that a database is
# empty, and replaced by the backup's rows when the backup has the table.
SEEDED_TABLES = frozenset({"app_state"})
# Tables computed from the others: not in backups, rebuilt after a restore.
DERIVED_TABLES = frozenset({"indicator_total"})


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
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED_TABLES]


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
            n: v.isoformat() if isinstance(v, datetime) else v
            for n, v in zip(names, row, strict=True)
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
        obj = next(lines, (0, None))[1]
    if obj is None:
        raise BackupError(f"{path}: the file is empty")
    if obj.get("format") != FORMAT_NAME:
        raise BackupError(f"{path}: not a {FORMAT_NAME} file")
    version = obj.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(f"{path}: format version {version} is not one this code reads")
    try:
        header = Header(
            str(obj["alembic_revision"]),
            str(obj["created_at"]),
            str(obj["source_dialect"]),
            {str(k): int(v) for k, v in obj["counts"].items()},
            {str(k): [str(c) for c in v] for k, v in obj["columns"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(f"{path}: the header is incomplete ({exc!r})") from exc
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    if header.alembic_revision not in {rev.revision for rev in script.walk_revisions()}:
        raise BackupError(
            f"the backup was made at database revision {header.alembic_revision}, which is "
            f"newer than this code (its newest revision is {script.get_current_head()}): "
            "restore it with the code version that made it"
        )
    _check_columns(header)
    return header


def _check_columns(header: Header) -> None:
    """Every table and column of the backup must exist here (or be a known dropped one), and
    every column missing from it must be optional."""
    if set(header.counts) != set(header.columns):
        raise BackupError("the header's counts and columns name different tables")
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
                found = ", ".join(f"{name}: {n} rows" for name, n in existing.items())
                raise BackupError(f"the database is not empty ({found})")
            for table in reversed(tables()):
                if replace or (table.name in SEEDED_TABLES and table.name in header.columns):
                    connection.execute(table.delete())
            _insert_rows(connection, path, header)
            _advance_sequences(connection)
            indicator_totals.rebuild(connection)
            connection.commit()
        except StatementError as exc:  # any database error, DBAPIError included
            connection.rollback()
            raise BackupError(f"the rows could not be written: {exc.orig or exc}") from exc
        except BaseException:
            connection.rollback()
            raise
    return header


def _lock(connection: Connection) -> None:
    """Keep every writer out until the restore commits."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
        names = ", ".join(t.name for t in tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


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
            try:
                for column in datetimes:
                    if row[column] is not None:
                        row[column] = datetime.fromisoformat(row[column])
            except (TypeError, ValueError) as exc:
                raise BackupError(f"{path}: line {number}: bad datetime ({exc})") from exc
            batch.append(row)
            counts[name] += 1
            if len(batch) >= BATCH_SIZE:
                flush()
    flush()
    short = [
        f"{n}: {counts[n]} of {want}" for n, want in header.counts.items() if counts[n] != want
    ]
    if short:
        raise BackupError(f"{path}: the file is incomplete (rows read: {', '.join(short)})")


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each serial sequence past the largest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        if (column := table.autoincrement_column) is not None:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                    f"FROM {table.name}"
                ),
                {"t": table.name, "c": column.name},
            )


def _plain(value: Any, is_json: bool) -> Any:
    if is_json:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value.isoformat() if isinstance(value, datetime) else value


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
