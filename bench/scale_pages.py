"""The pages issue 17 bounds, timed in-process (Flask test client, as bench/server.py does) at one
scale: result (warm, and the first view after a real submit), dashboard (current period after a
submit, an ended period on its first view in a worker, two cohort filters after a submit),
enterprise list and enterprise detail.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from assessment.services.demo import DEMO_BUREAU_EMAIL, DEMO_ENTERPRISE_EMAIL
from assessment.services.models import Assessment, Enterprise, utcnow
from assessment.web.extensions import db

from .common import Timing, timed
from .server import _expect, _Submits, demo_paths, logged_in

# Two cohort attributes at once: the filter the maintained per-cohort totals cannot answer alone.
FILTER = "?industry=auto_parts&size=small"
DETAIL_SAMPLE = 20


class _AfterSubmit:
    """Setup for a timed view: the demo enterprise submits a fresh lianghua draft through the
    web (untimed), as a real submit between two views would."""

    def __init__(self, app, client, enterprise_id: int) -> None:
        self.client, self.submits = client, _Submits(app, enterprise_id)
        self.result_path = ""

    def __call__(self) -> None:
        self.submits.new_draft()
        public_id = self.submits.public_id
        _expect(self.client.post(f"/a/{public_id}/review"), 302)
        self.result_path = f"/a/{public_id}/result"


def _detail_paths(app, count: int = DETAIL_SAMPLE) -> list[str]:
    """Detail pages of enterprises with submitted assessments, drawn once per run."""
    with app.app_context():
        top = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id.desc()).limit(1))
        rng, ids = random.Random(17), []
        while len(ids) < count:
            public_id = db.session.scalar(
                select(Enterprise.public_id)
                .join(Assessment, Assessment.enterprise_id == Enterprise.id)
                .where(Enterprise.id >= rng.randint(1, top), Assessment.is_latest.is_(True))
                .order_by(Enterprise.id)
                .limit(1)
            )
            if public_id:
                ids.append(public_id)
    return [f"/bureau/enterprises/{public_id}" for public_id in ids]


def measure(app, runs: int = 30, max_seconds: float = 6.0) -> dict[str, Timing]:
    """Median and p95 of every bounded page at this app's scale, keyed by row name."""
    paths = demo_paths(app)
    enterprise = logged_in(app, DEMO_ENTERPRISE_EMAIL)
    bureau = logged_in(app, DEMO_BUREAU_EMAIL)
    after = _AfterSubmit(app, enterprise, paths.enterprise_id)
    few = max(5, runs // 3)
    bounded = {"max_seconds": max_seconds}
    out: dict[str, Timing] = {}

    def row(name: str, fn, count: int = runs, setup=None) -> None:
        out[name] = timed(name, fn, count, 1, setup=setup, **bounded)

    def get(client, path: str):
        return lambda: _expect(client.get(path), 200)

    row("result page (warm)", get(enterprise, paths.result_page))
    row("result page (first view after a submit)",
        lambda: _expect(enterprise.get(after.result_path), 200), few, after)  # fmt: skip
    row("dashboard, current period (after a submit)", get(bureau, "/bureau/"), few, after)
    ended = f"/bureau/?period=y{utcnow().year - 1}"
    row("dashboard, ended period (first view in a worker)", get(bureau, ended), few,
        app.extensions["cache"].clear)  # fmt: skip
    row("dashboard, industry + size filter (after a submit)", get(bureau, "/bureau/" + FILTER),
        few, after)  # fmt: skip
    row("enterprise list", get(bureau, "/bureau/enterprises"))
    details = _detail_paths(app)
    cycle = iter(range(10**6))
    row("enterprise detail",
        lambda: _expect(bureau.get(details[next(cycle) % len(details)]), 200))  # fmt: skip
    return out
