"""Derived tables behind the bureau's dashboard: submissions per month, and figures stored once.

Both are derived data (left out of backups, rebuilt or emptied by a restore): see
`services/submission_months.py` and `services/stored_figures.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assessment.services.models.base import Base, utcnow


class SubmissionMonth(Base):
    """Every submission (re-submits too) counted per questionnaire version, demo flag, month of
    submission, one cohort ("city", or one industry, town or size class) and stage, with the sum
    of their totals in hundredths (totals are stored rounded to 0.01, so the sum is exact).

    Kept in step by every submit (in its transaction), rebuilt after a seed or a restore: the
    dashboard's quarterly trend sums a few hundred rows instead of every submission.
    """

    __tablename__ = "submission_month"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cohort: Mapped[str] = mapped_column(
        String(12), primary_key=True
    )  # city|industry|town|size_class
    cohort_value: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" for the city
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11" of submitted_at
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total_hundredths: Mapped[int] = mapped_column(BigInteger, default=0)


class StoredFigures(Base):
    """Figures computed once for a period that has ended and kept for every worker and node.

    `key` is a digest of the filters (`filters` holds them readably); `generation` the history
    generation they were computed at: anything that rewrites the past bumps it, so rows of an
    older generation are never read again (and are deleted by the next store).
    """

    __tablename__ = "stored_figures"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # dashboard|stage_shares
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    filters: Mapped[str] = mapped_column(Text)
    figures: Mapped[str] = mapped_column(Text)  # JSON, floats written exactly (repr)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
