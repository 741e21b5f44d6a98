"""Restoring a backup written by `backup.dump`: reading the file, checking its header against
this code's schema, and writing its rows into an empty (or emptied) database in one transaction.
No Flask.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Date, DateTime, Engine, Table
from sqlalchemy.exc import StatementError

from assessment.services import derived, stored_figures
from assessment.services.backup import (
    BATCH_SIZE,
    FORMAT_NAME,
    FORMAT_VERSION,
    SEEDED_TABLES,
    BackupError,
    Header,
    data_counts,
    table_counts,
    tables,
)
from assessment.services.bulk import advance_sequences
from assessment.services.migrate import MIGRATIONS_DIR, upgrade

# Columns that migrations have dropped: present in older backups, ignored on restore.
KNOWN_DROPPED_COLUMNS: dict[str, frozenset[str]] = {"assessment": frozenset({"result"})}


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
            advance_sequences(connection, tables())
            derived.rebuild(connection)  # derived: rebuilt, never carried in a backup
            stored_figures.forget(connection)  # figures of the replaced data
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


def _time_parsers(table: Table) -> dict[str, Callable[[str], date]]:
    """Column name → parser for the table's datetime and date columns (stored as ISO text)."""
    parsers: dict[str, Callable[[str], date]] = {}
    for column in table.columns:
        if isinstance(column.type, DateTime):
            parsers[column.name] = datetime.fromisoformat
        elif isinstance(column.type, Date):
            parsers[column.name] = date.fromisoformat
    return parsers


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
                parsers = _time_parsers(specs[name])
            for column in dropped:
                del row[column]
            try:
                for column, parse in parsers.items():
                    if row[column] is not None:
                        row[column] = parse(row[column])
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
