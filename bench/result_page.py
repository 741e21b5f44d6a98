"""Result page with all benchmarks, at 100,000 submitted assessments (issue 3's target: < 50 ms),
and the MIIT result page (level, scenarios, peers' levels, the cheapest plan; same target)."""

from __future__ import annotations

import sys

from sqlalchemy import select

from assessment.services.demo import DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD
from assessment.services.models import Assessment, User
from assessment.web.extensions import db

from .common import app_at_scale, timed
from .server import measure_miit

TARGET_MS = 50


def measure(scale: int = 100_000, runs: int = 60):
    """Median and p95 of GET /a/<id>/result for the demo enterprise, warm cache."""
    app, seed_seconds = app_at_scale(scale)
    client = app.test_client()
    client.post("/auth/login", data={"email": DEMO_ENTERPRISE_EMAIL, "password": DEMO_PASSWORD})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_ENTERPRISE_EMAIL))
        public_id = db.session.scalar(
            select(Assessment.public_id).where(
                Assessment.enterprise_id == user.enterprise_id, Assessment.status == "submitted"
            )
        )
    url = f"/a/{public_id}/result"
    assert client.get(url).status_code == 200
    timing = timed("result page", lambda: client.get(url), runs)

    def after_a_submit():
        with app.app_context():
            from assessment.services.cache import bump_generation

            bump_generation(db.session)  # what any enterprise's submit does
            db.session.commit()
        client.get(url)

    cold = timed("result page, first view after a submit", after_a_submit, max(5, runs // 6), 1)
    return timing, cold, measure_miit(app, runs, max_seconds=10.0), seed_seconds


if __name__ == "__main__":
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    timing, cold, miit, seed_seconds = measure(scale)
    verdict = "PASS" if timing.median_ms < TARGET_MS else "MISS"
    print(
        f"result page @ {scale} assessments: median {timing.median_ms:.1f} ms, "
        f"p95 {timing.p95_ms:.1f} ms, runs {len(timing.samples)} — target < {TARGET_MS} ms: {verdict}"
    )
    print(
        f"  first view after a submit (cohort tables recomputed): median {cold.median_ms:.1f} ms, "
        f"p95 {cold.p95_ms:.1f} ms, runs {len(cold.samples)}"
    )
    for name, item in miit.items():
        line = f"{name}: median {item.median_ms:.1f} ms, p95 {item.p95_ms:.1f} ms, runs {item.runs}"
        if "first" not in name:
            verdict = "PASS" if item.median_ms < TARGET_MS else "MISS"
            line += f" — target < {TARGET_MS} ms: {verdict}"
        print(line)
    if seed_seconds:
        print(f"(database seeded in {seed_seconds:.1f} s)")
