"""Per-request construction of domain services from the app's configuration."""

from __future__ import annotations

from flask import current_app

from ..benchmark import Benchmarks
from ..extensions import db


def benchmarks() -> Benchmarks:
    """Cohort statistics as configured: window, k threshold, demo data only in demo mode."""
    config = current_app.config
    return Benchmarks(
        db.session,
        cache=current_app.extensions["benchmark_cache"],
        window_months=config["BENCHMARK_WINDOW_MONTHS"],
        min_cohort=config["BENCHMARK_MIN_COHORT"],
        include_demo=config["DEMO_MODE"],
    )
