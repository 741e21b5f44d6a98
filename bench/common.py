"""Shared benchmark helpers: fresh databases at a scale, timing with medians and p95."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from assessment import create_app
from assessment.extensions import db
from assessment.migrate import upgrade
from assessment.models import Assessment

OUT = Path(__file__).resolve().parent / "out"
ASSESSMENTS_PER_ENTERPRISE = 1.795  # what seed-demo produces on average


@dataclass
class Timing:
    name: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000


def timed(name: str, fn: Callable[[], object], runs: int, warmup: int = 3) -> Timing:
    """Run `fn` warmup + runs times; keep the timings of the measured runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


def app_at_scale(assessments: int, database_url: str | None = None, seed: int = 1):
    """An app on a database with about `assessments` submitted demo assessments (built once per
    scale and kept under bench/out/ for SQLite). Returns (app, seed seconds or None if reused)."""
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("INSTANCE_PATH", str(OUT / "instance"))
    url = database_url or f"sqlite:///{OUT / f'bench-{assessments}.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "DEMO_MODE": True, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})  # fmt: skip
    seconds = None
    with app.app_context():
        upgrade(db.engine)
        have = db.session.scalar(select(func.count(Assessment.id))) or 0
        if have < assessments * 0.95:
            from assessment.demo import seed_demo
            from assessment.models import Base

            for table in reversed(Base.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
            enterprises = int(assessments / ASSESSMENTS_PER_ENTERPRISE)
            summary = seed_demo(db.session, app.extensions["questionnaires"], enterprises, seed)
            seconds = summary.seconds
    return app, seconds
