"""Cohort statistics on the result page: warm, and the first view after a submit (every cohort
table read again), on one database given by URL — so the same script can measure two checkouts
of the code side by side (`python -m bench.cohorts sqlite:///… 100000`)."""

from __future__ import annotations

import json
import os
import sys

from sqlalchemy import func, select

from assessment.services.cache import bump_generation
from assessment.services.demo import DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD
from assessment.services.models import Assessment, User
from assessment.web.extensions import db

from .common import app_at_scale, timed


def measure(url: str, scale: int, runs: int = 40) -> dict:
    """Median and p95 (ms) of GET /a/<id>/result for the demo enterprise: warm, and right after
    the generation moved (what any enterprise's submit does to every worker's cache)."""
    app, _seeded = app_at_scale(scale, url)
    client = app.test_client()
    client.post("/auth/login", data={"email": DEMO_ENTERPRISE_EMAIL, "password": DEMO_PASSWORD})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_ENTERPRISE_EMAIL))
        public_id = db.session.scalar(
            select(Assessment.public_id).where(
                Assessment.enterprise_id == user.enterprise_id,
                Assessment.is_latest.is_(True),
                Assessment.questionnaire_id == "lianghua",
            )  # fmt: skip
        )
        count = db.session.scalar(select(func.count(Assessment.id)))
    url_ = f"/a/{public_id}/result"
    assert client.get(url_).status_code == 200
    warm = timed("warm", lambda: client.get(url_), runs)

    def after_a_submit():
        with app.app_context():
            bump_generation(db.session)
            db.session.commit()
        client.get(url_)

    cold = timed("after a submit", after_a_submit, max(8, runs // 3), 1)
    return {"assessments": count, "warm_median": warm.median_ms, "warm_p95": warm.p95_ms,
            "first_median": cold.median_ms, "first_p95": cold.p95_ms,
            "load": os.getloadavg()[0]}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
