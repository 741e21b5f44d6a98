"""Assessments and the score rows derived from them (dimension and question scores, the
maintained per-question totals)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.enums import Status
from assessment.services.models.base import Base, JsonType, new_public_id, utcnow

if TYPE_CHECKING:
    from assessment.services.models.campaign import Campaign
    from assessment.services.models.enterprise import Enterprise, User


class Assessment(Base):
    """One filling of one questionnaire version by one enterprise: a draft until submitted."""

    __tablename__ = "assessment"
    __table_args__ = (
        # Covers the benchmark queries: cohort statistics never read the (large) answer rows.
        Index(
            "ix_assessment_latest",
            "questionnaire_id",
            "is_latest",
            "submitted_at",
            "questionnaire_version",
            "status",
            "is_demo",
            "industry",
            "town",
            "size_class",
            "total",
            "stage",
            "enterprise_id",
        ),  # fmt: skip
        Index("ix_assessment_enterprise_q", "enterprise_id", "questionnaire_id", "status"),
        # At most one latest submission and one open draft per enterprise and questionnaire.
        Index(
            "uq_assessment_one_latest",
            "enterprise_id",
            "questionnaire_id",
            unique=True,
            sqlite_where=text("is_latest"),
            postgresql_where=text("is_latest"),
        ),
        Index(
            "uq_assessment_one_draft",
            "enterprise_id",
            "questionnaire_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("NOT is_latest OR status = 'submitted'", name="latest_is_submitted"),
        CheckConstraint(
            "status <> 'submitted' OR (total IS NOT NULL AND stage IS NOT NULL"
            " AND submitted_at IS NOT NULL)",
            name="submitted_is_scored",
        ),
        CheckConstraint("total >= 0 AND total <= 100", name="total_range"),
        CheckConstraint(
            "review_status IS NULL OR review_status IN ('pending', 'approved', 'returned')",
            name="review_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT)
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    current_page: Mapped[int] = mapped_column(Integer, default=0)
    # Answers copied from other questionnaires (answer once), by question id → where from; an
    # entry goes once its page has been saved, and a draft with entries left cannot be submitted.
    prefilled: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # Optimistic lock: every save increments it; a save carrying an older value is a conflict.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(40))
    # Cohort attributes frozen at submission, so history and benchmarks do not shift later.
    industry: Mapped[str | None] = mapped_column(String(40))
    town: Mapped[str | None] = mapped_column(String(40))
    size_class: Mapped[str | None] = mapped_column(String(10))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # True on the newest submitted assessment of an enterprise for a questionnaire.
    is_latest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who last saved a page, and who submitted (shown on the pages and in the history).
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The service provider account that helped fill it (saved a page or submitted), if any:
    # the history and the PDF say "由 XX 服务商协助填写".
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Campaign review (审核): set at submit when the enterprise is a target of an open campaign
    # for this questionnaire; the plausibility flags found then; the reviewer's decision and note.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    review_status: Mapped[str | None] = mapped_column(String(10))
    review_flags: Mapped[list[Any] | None] = mapped_column(JsonType)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    # A draft started to correct a returned submission points at it (its answers pre-fill it).
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))

    enterprise: Mapped[Enterprise] = relationship(back_populates="assessments")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    provider: Mapped[User | None] = relationship(foreign_keys=[provider_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    campaign: Mapped[Campaign | None] = relationship()
    dimension_scores: Mapped[list[DimensionScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class DimensionScore(Base):
    """One dimension score of a submitted assessment, a row each so SQL can aggregate it."""

    __tablename__ = "dimension_score"
    # WITHOUT ROWID on SQLite: the composite key is the row, so it is stored once, not twice.
    __table_args__ = (
        Index("ix_dimension_score_dim", "dimension_id", "score"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        {"sqlite_with_rowid": False},
    )

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[float] = mapped_column(Float)

    assessment: Mapped[Assessment] = relationship(back_populates="dimension_scores")


class QuestionScore(Base):
    """Points won on one scored, applicable question of a submitted assessment."""

    __tablename__ = "question_score"
    __table_args__ = (
        # Scoring never gives more than a question's best attainable points, nor less than 0.
        CheckConstraint(
            "points >= 0 AND max_points >= 0 AND points <= max_points", name="points_range"
        ),
        {"sqlite_with_rowid": False},
    )

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)


class IndicatorTotal(Base):
    """Sums of `QuestionScore` over the *latest* assessments, per questionnaire version, demo flag,
    month of submission and one cohort ("city", or one industry, town or size class).

    Derived data, kept in step by every submit (in its transaction) and rebuilt after a seed or a
    restore: the bureau's weakest-indicators table then sums a few thousand rows instead of
    joining millions of question scores.
    """

    __tablename__ = "indicator_total"
    __table_args__ = {"sqlite_with_rowid": False}

    questionnaire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    cohort: Mapped[str] = mapped_column(
        String(12), primary_key=True
    )  # city|industry|town|size_class
    cohort_value: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" for the city
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11" of submitted_at
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    max_points: Mapped[float] = mapped_column(Float, default=0.0)
    n: Mapped[int] = mapped_column(Integer, default=0)  # assessments the question applied to
