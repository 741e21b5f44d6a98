"""Shared benchmark helpers: fresh databases at a scale, timing with medians and p95."""

from __future__ import annotations

import gc
import hashlib
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from assessment.services.migrate import upgrade
from assessment.services.models import Assessment
from assessment.web.app import create_app
from assessment.web.extensions import db

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
# What seed-demo produces on average: lianghua 0.85, cloud 0.7 and MIIT 0.6 of the firms, some
# twice (1.795 before MIIT was seeded: "100k" then held about 140,000 assessments).
ASSESSMENTS_PER_ENTERPRISE = 2.5
# What the seeded data depends on: a cached database is reused only if these are unchanged.
SEED_INPUTS = (
    "assessment/services/demo*.py",
    "assessment/services/models/*.py",
    "assessment/services/indicator_totals.py",
    "assessment/services/submission_months.py",
    "assessment/services/latest_counts.py",
    "assessment/core/**/*.py",  # scoring, levels, question types (their demo answers), enterprise
    "data/*.yaml",
    "questionnaires/*.yaml",
    "migrations/versions/*.py",
)
BENCH_CONFIG = {"DEMO_MODE": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False}  # fmt: skip


@dataclass
class Timing:
    """Wall-time samples (seconds) of one measured operation."""

    name: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        """Median of the samples in milliseconds."""
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """95th percentile (nearest rank) of the samples in milliseconds."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000

    @property
    def runs(self) -> int:
        """How many measured runs."""
        return len(self.samples)


def timed(
    name: str,
    fn: Callable[[], object],
    runs: int,
    warmup: int = 3,
    *,
    setup: Callable[[], object] | None = None,
    max_seconds: float | None = None,
    min_runs: int = 3,
) -> Timing:
    """Run `fn` warmup + runs times; keep the timings of the measured runs.

    `setup` runs before every call, untimed. With `max_seconds`, measuring stops once that much
    wall time has passed (after at least `min_runs` runs), so slow cases stay bounded.
    """
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    samples: list[float] = []
    began = time.perf_counter()
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        if max_seconds and len(samples) >= min_runs and time.perf_counter() - began > max_seconds:
            break
    return Timing(name, samples)


def code_hash() -> str:
    """A short hash of every file the seeded data depends on (code, questionnaires, schema)."""
    digest = hashlib.sha256()
    for pattern in SEED_INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def sqlite_path(assessments: int) -> Path:
    """The cached SQLite file for a scale, named after the code that seeds it."""
    return OUT / f"bench-{assessments}-{code_hash()}.sqlite3"


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_stale(assessments: int, keep: Path) -> None:
    """Delete databases of this scale seeded by other code (they would only fill the disk)."""
    for path in [OUT / f"bench-{assessments}.sqlite3", *OUT.glob(f"bench-{assessments}-*.sqlite3")]:
        if path != keep and path.exists():
            _remove_sqlite(path)


def make_app(database_url: str):
    """An app configured for benchmarking (demo data counts, no CSRF, no rate limit)."""
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("INSTANCE_PATH", str(OUT / "instance"))
    return create_app({"DATABASE_URL": database_url, **BENCH_CONFIG})


def app_at_scale(assessments: int, database_url: str | None = None, seed: int = 1,
                 fresh: bool = False):  # fmt: skip
    """An app on a database with about `assessments` submitted demo assessments (for SQLite built
    once per scale and code hash, kept under bench/out/). `fresh` seeds again whatever is there.
    Returns (app, seed seconds or None if reused)."""
    OUT.mkdir(exist_ok=True)
    if database_url is None:
        path = sqlite_path(assessments)
        _remove_stale(assessments, path)
        if fresh:
            _remove_sqlite(path)
        database_url = f"sqlite:///{path}"
    app = make_app(database_url)
    seconds = None
    with app.app_context():
        upgrade(db.engine)
        have = db.session.scalar(select(func.count(Assessment.id))) or 0
        if fresh or have < assessments * 0.95:
            from assessment.services.demo import seed_demo
            from assessment.services.models import Base

            for table in reversed(Base.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
            enterprises = int(assessments / ASSESSMENTS_PER_ENTERPRISE)
            summary = seed_demo(db.session, app.extensions["questionnaires"], enterprises, seed)
            seconds = summary.seconds
        if db.engine.dialect.name == "sqlite":  # fold the seed's WAL into the file, then drop it
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return app, seconds


def database_bytes(app) -> int | None:
    """Size of the app's database: the SQLite file(s) or PostgreSQL's pg_database_size."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            path = Path(engine.url.database)
            return sum(
                Path(f"{path}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{path}{s}").exists()
            )
        if engine.dialect.name == "postgresql":
            return db.session.scalar(select(func.pg_database_size(func.current_database())))
    return None


def dispose(app) -> None:
    """Close the app's database connections (before dropping its database or moving on)."""
    gc.collect()  # sessions a streamed response left behind give their connections back
    state = app.extensions["database"]
    state.session.remove()
    state.engine.dispose()
