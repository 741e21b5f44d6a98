"""PostgreSQL on 127.0.0.1:5432 when it answers: a throw-away database `bench_<scale>` per scale."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def reachable() -> str | None:
    """None when PostgreSQL can be used, else the reason it cannot."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError as exc:
        return f"127.0.0.1:5432 does not answer ({exc.strerror or exc})"
    try:
        import psycopg

        psycopg.connect(ADMIN_DSN, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not measured", with its reason
        return f"cannot connect as postgres: {exc}".splitlines()[0]
    return None


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def drop(name: str) -> None:
    """Drop the benchmark database (closing any connection still open on it)."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(scale: int) -> Iterator[str]:
    """Create `bench_<scale>` afresh, yield its SQLAlchemy URL, drop it afterwards (always)."""
    name = f"bench_{scale}"
    drop(name)
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield URL.format(name=name)
    finally:
        drop(name)


def vacuum_analyze(url: str) -> float:
    """VACUUM ANALYZE the database behind `url` (what autovacuum does soon after a bulk load);
    returns the seconds it took."""
    import time

    import psycopg

    name = url.rsplit("/", 1)[1]
    started = time.perf_counter()
    with psycopg.connect(ADMIN_DSN.replace("dbname=postgres", f"dbname={name}"),
                         autocommit=True, connect_timeout=5) as conn:  # fmt: skip
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started
