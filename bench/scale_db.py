"""The scale tier's PostgreSQL databases (issue 17): `bench_scale_<assessments>_<hash>`, seeded by
COPY (bench/copy_seed.py) once per scale and seeding code, kept for later runs.

A database counts as seeded only once its comment says so: a seed that was interrupted is dropped
and done again.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from assessment.services import demo
from assessment.services.bulk import advance_sequences
from assessment.services.demo_campaign import seed_demo_campaign
from assessment.services.migrate import upgrade
from assessment.services.models import Assessment, Enterprise
from assessment.web.extensions import db

from . import copy_seed, pg
from .common import ASSESSMENTS_PER_ENTERPRISE, code_hash, dispose, make_app
from .cpu_meter import CpuMeter

SEEDED = "seeded by bench/copy_seed.py"
# The demo campaign reads its targets with one IN list (demo_campaign._submitted_in_window):
# PostgreSQL takes at most 65,535 parameters, so the campaign covers the first firms only.
CAMPAIGN_ENTERPRISES = 20_000


@dataclass
class SeedReport:
    """Seconds per phase of one COPY seed, and what it wrote."""

    assessments: int = 0
    enterprises: int = 0
    scored_sets: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    cpu_python: float = 0.0  # CPU seconds of this process and its COPY workers
    cpu_postgres: float = 0.0  # CPU seconds of the server processes on the database

    @property
    def seconds(self) -> float:
        """The whole seed (every phase)."""
        return sum(self.phases.values())


def scale_hash() -> str:
    """The seeded data's inputs: what `make bench` hashes plus this tier's seeding code."""
    digest = hashlib.sha256(code_hash().encode())
    for name in ("copy_seed.py", "scale_db.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:10]


def dsn(url: str) -> str:
    """The libpq connection string of the database behind a SQLAlchemy URL."""
    parts = make_url(url)
    conninfo = {"host": parts.host or "127.0.0.1", "port": parts.port or 5432,
                "user": parts.username, "password": parts.password, "dbname": parts.database}  # fmt: skip
    return " ".join(f"{key}={value}" for key, value in conninfo.items() if value)


def _admin_rows(sql: str, *params) -> list[tuple]:
    with psycopg.connect(pg.ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def database(assessments: int, fresh: bool = False) -> tuple[str, SeedReport | None]:
    """The SQLAlchemy URL of a seeded database at this scale, and the seed's report (None when a
    database seeded by the same code was there). Stale ones of this scale are dropped."""
    prefix = f"bench_scale_{assessments}_"
    name = prefix + scale_hash()
    # Not LIKE: "_" matches any character there, and bench_scale_10000_ would take the 1M one.
    found = {datname: comment for datname, comment in _admin_rows(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database")
        if datname.startswith(prefix)}  # fmt: skip
    for other, comment in found.items():
        if other != name or fresh or comment != SEEDED:
            pg.drop(other)
    url = pg.URL.format(name=name)
    if name in found and found[name] == SEEDED and not fresh:
        return url, None
    _admin_rows(f'CREATE DATABASE "{name}"')
    report = seed(url, assessments)
    _admin_rows(f"COMMENT ON DATABASE \"{name}\" IS '{SEEDED}'")
    return url, report


def _drop_indexes(conn: psycopg.Connection) -> list[str]:
    """Drop the big tables' indexes and the keys no foreign key needs; returns the statements
    that build them again (one sorted build each beats a million index inserts)."""
    tables = list(copy_seed.BIG_TABLES)
    keys = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.conindid "
        "FROM pg_constraint c WHERE c.contype IN ('p', 'u') "
        "AND c.conrelid::regclass::text = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
        "WHERE f.contype = 'f' AND f.conindid = c.conindid)", (tables,)).fetchall()  # fmt: skip
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", (tables,)).fetchall()  # fmt: skip
    rebuild = []
    for table, name, definition, _ in keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        conn.execute(f"DROP INDEX {name}")
        rebuild.append(definition)
    conn.commit()
    return rebuild


def _build(conninfo: str, statements: list[str]) -> None:
    """Run the index and key builds on two connections at once, the largest (question_score's
    key) alone on one."""

    def run(part: list[str]) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            for statement in part:
                conn.execute(statement)

    big = [s for s in statements if "question_score" in s]
    with ThreadPoolExecutor(2) as executor:
        for future in [executor.submit(run, big),
                       executor.submit(run, [s for s in statements if s not in big])]:  # fmt: skip
            future.result()


def _copy_enterprises(conn: psycopg.Connection, rows: list[dict]) -> None:
    columns = list(rows[0])
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY enterprise ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[c] for c in columns])
    conn.commit()


def seed(url: str, assessments: int, seed_value: int = 1, log=None) -> SeedReport:
    """Seed the empty database behind `url` with about `assessments` submitted demo assessments
    (enterprises, assessments and their score rows by COPY, then the demo logins and campaign,
    then the derived tables through `flask rebuild-totals`, then VACUUM ANALYZE)."""
    log = log or (lambda message: print(f"  seed: {message}", file=sys.stderr, flush=True))
    report, started = SeedReport(), time.perf_counter()

    def phase(name: str) -> None:
        nonlocal started
        report.phases[name] = time.perf_counter() - started
        log(f"{name}: {report.phases[name]:.1f} s")
        started = time.perf_counter()

    database_name = make_url(url).database
    meter = CpuMeter(dsn(url.rsplit("/", 1)[0] + "/postgres"), database_name)
    with meter:
        _seed(url, assessments, seed_value, report, phase)
    report.cpu_python, report.cpu_postgres = meter.python, meter.postgres
    log(f"CPU: {meter.python:.0f} s Python, {meter.postgres:.0f} s PostgreSQL")
    return report


def _seed(url: str, assessments: int, seed_value: int, report: SeedReport, phase) -> None:
    app = make_app(url)
    registry = app.extensions["questionnaires"]
    database_name = make_url(url).database
    with app.app_context():
        upgrade(db.engine)
    dispose(app)
    rng = random.Random(seed_value)
    enterprises = demo._enterprise_rows(rng, int(assessments / ASSESSMENTS_PER_ENTERPRISE), 1,
                                        set())  # fmt: skip
    report.enterprises = len(enterprises)
    with psycopg.connect(dsn(url)) as conn:
        rebuild = _drop_indexes(conn)
        _copy_enterprises(conn, enterprises)
    phase("schema and enterprises")
    report.assessments, report.scored_sets = copy_seed.copy_assessments(
        dsn(url), enterprises, registry, seed_value
    )
    phase(f"COPY {report.assessments:,} assessments ({report.scored_sets:,} scored answer sets)")
    _build(dsn(url), rebuild)
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        # Statistics first: without them the rebuilds below plan for a few rows and sort 33M.
        conn.execute("ANALYZE")
        # The rebuilds aggregate every score: with room to hash, not sort, they run several
        # times faster (sessions opened from now on get it; dropped again below).
        conn.execute(f"ALTER DATABASE \"{database_name}\" SET work_mem = '256MB'")
    phase("indexes, keys, ANALYZE")
    _demo_extras(app, enterprises, seed_value)
    phase("demo logins and campaign")
    _rebuild_derived(app)
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{database_name}" RESET work_mem')
    phase("derived tables (flask rebuild-totals)")
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    phase("VACUUM ANALYZE")


def _demo_extras(app, enterprises: list[dict], seed_value: int) -> None:
    """What seed-demo adds besides the rows: the demo logins, sequences past the ids given here,
    the demo campaign."""
    with app.app_context():
        demo._demo_users(db.session, enterprises[0]["id"])
        advance_sequences(db.session.connection(), (Enterprise.__table__, Assessment.__table__))
        db.session.commit()
        seed_demo_campaign(db.session, app.extensions["questionnaires"],
                           enterprises[:CAMPAIGN_ENTERPRISES], seed_value)  # fmt: skip
    dispose(app)


def _rebuild_derived(app) -> None:
    """Every derived table, from the project's own repair command."""
    result = app.test_cli_runner().invoke(args=["rebuild-totals"])
    if result.exit_code != 0:
        raise RuntimeError(f"flask rebuild-totals failed: {result.output}") from result.exception
    dispose(app)
