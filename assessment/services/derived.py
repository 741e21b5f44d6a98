"""The tables derived from submitted assessments, kept in step by every submit and rebuilt together
after writes that bypass it (seeds, restores, repairs, test factories). No Flask.

A new derived table is added here once; every submit and every rebuild site goes through this
module (docs/architecture.md, "Dashboard aggregates" and "Cohort statistics").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from assessment.services import histograms, indicator_totals, latest_counts, submission_months
from assessment.services.models import Assessment, DimensionScore, QuestionScore


def record_submit(session: Session, assessment: Assessment, rows: Sequence,
                  previous: Assessment | None) -> None:  # fmt: skip
    """Move every derived table by one submit, in its transaction: `rows` are the new score rows,
    `previous` the enterprise's latest assessment it replaces (None for a first submit)."""
    scores = [row for row in rows if isinstance(row, QuestionScore)]
    indicator_totals.record_submit(session, assessment, scores, previous)
    dimensions = [row for row in rows if isinstance(row, DimensionScore)]
    histograms.record_submit(session, assessment, dimensions, previous)
    submission_months.record_submit(session, assessment)
    latest_counts.record_submit(session, assessment, previous)


def rebuild_aggregates(bind: Session | Connection) -> None:
    """Rebuild the score histograms, the submissions per month and the latest counts from the
    stored rows (the per-question totals are left to the caller: a seed writes them as it goes)."""
    histograms.rebuild(bind)
    submission_months.rebuild(bind)
    latest_counts.rebuild(bind)


def rebuild(bind: Session | Connection) -> None:
    """Rebuild every derived table from the stored assessments."""
    indicator_totals.rebuild(bind)
    rebuild_aggregates(bind)
