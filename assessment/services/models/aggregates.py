"""Derived tables behind the bureau's dashboard: submissions per month, the latest assessments
counted per filter scope and score, and figures stored once.

All are derived data (left out of backups, rebuilt or emptied by a restore): see
`services/submission_months.py`, `services/latest_counts.py` and `services/stored_figures.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assessment.services.models.base import Base, utcnow


class SubmissionMonth(Base):
    """Every submission (re-submits too) counted per questionnaire version, demo flag, month of
    submission, one cohort ("city", or one industry, town or size class) and stage, with the sum
    of their totals in thousandths (totals have at most 3 decimals: MIIT's exact points; so the sum is exact).

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
    total_thousandths: Mapped[int] = mapped_column(BigInteger, default=0)


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


class LatestPoint(Base):
    """The latest assessments counted per filter scope, grouping, stage and whole point of their
    total (with the exact sum of totals in thousandths): the dashboard's groups, stage counts,
    histogram and the bucket of each median, for the period up to now.

    `scope` is the filter's "industry|town|size_class" ("" for any part: "||" is the city);
    `grouping` and `group_value` the group within it (industry, town or size class). Each latest
    assessment is in 8 scopes × 3 groupings; kept in step by every submit (the enterprise's
    previous latest assessment leaves, the new one enters), rebuilt after a seed or a restore.
    See `services/latest_counts.py`.
    """

    __tablename__ = "latest_point"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(130), primary_key=True)
    grouping: Mapped[str] = mapped_column(String(12), primary_key=True)
    group_value: Mapped[str] = mapped_column(String(40), primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    point: Mapped[int] = mapped_column(Integer, primary_key=True)  # floor(total)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total_thousandths: Mapped[int] = mapped_column(BigInteger, default=0)


class LatestValue(Base):
    """The same latest assessments counted per exact total (in thousandths): only the values inside
    the whole point holding a median are ever read, so an exact median reads at most 1,000 rows
    per group whatever the number of assessments."""

    __tablename__ = "latest_value"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(130), primary_key=True)
    grouping: Mapped[str] = mapped_column(String(12), primary_key=True)
    group_value: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Before the version and demo flag: the totals inside one whole point of one group are one
    # range of the key, whichever versions and demo flag are counted.
    total_thousandths: Mapped[int] = mapped_column(Integer, primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
