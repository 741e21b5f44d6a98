"""Bulk row writes for seeds and restores: driver-level inserts (COPY on PostgreSQL) and the
serial sequences moved past the ids written. No Flask."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Connection, Table, text
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """COPY (PostgreSQL) or executemany at driver level: far faster than ORM units of work."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ in ("JSON", "JSONB")}

    def prepare(row):
        return tuple(
            json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in columns
        )

    if connection.dialect.name == "postgresql":  # COPY: several times faster than executemany
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(prepare(row))
        return
    for start in range(0, len(rows), 5000):
        connection.exec_driver_sql(sql, [prepare(r) for r in rows[start : start + 5000]])


def advance_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: move each serial sequence of `tables` past the largest id (rows were written
    with their ids, so the sequences did not move)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if (column := table.autoincrement_column) is not None:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                    f"FROM {table.name}"
                ),
                {"t": table.name, "c": column.name},
            )
