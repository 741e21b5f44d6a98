"""Score histograms per cohort: the counts behind the result page's cohort statistics.

Derived data, like `IndicatorTotal`: every submit moves its latest assessment's scores in the same
transaction (`services/histograms.py`), and a seed, restore or repair rebuilds them from the raw
rows. Scores are counted as integer thousandths (`core/binned.UNITS`): sums are exact and equal
scores compare equal.

All three tables share a key prefix: questionnaire, cohort kind ("city", "industry", "town",
"size", "industry_size" as in `core/cohorts.py`) and cohort value ("" for the city,
"industry/size" for industry_size), then what is counted, then version, demo flag and the month
of submission ("2026-11"), so one cohort's rows are one contiguous range of the primary key.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.services.models.base import Base


class ScoreBin(Base):
    """How many latest assessments score in one whole-point bin (score // 1, 0..100) of one
    metric (the total or a dimension), and the sum of their scores in thousandths."""

    __tablename__ = "score_bin"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(16), primary_key=True)
    cohort_value: Mapped[str] = mapped_column(String(90), primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ scores × UNITS


class ScoreCount(Base):
    """How many latest assessments have exactly one score (in thousandths) on one metric; `bin`
    repeats score // 1000 so the rows of one bin are one range of the key."""

    __tablename__ = "score_count"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(16), primary_key=True)
    cohort_value: Mapped[str] = mapped_column(String(90), primary_key=True)
    metric: Mapped[str] = mapped_column(String(60), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)  # thousandths, 0..100000
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class StageCount(Base):
    """How many latest assessments reached one stage (or MIIT level)."""

    __tablename__ = "stage_count"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(16), primary_key=True)
    cohort_value: Mapped[str] = mapped_column(String(90), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
