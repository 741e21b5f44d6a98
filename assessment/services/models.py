"""Database models (SQLAlchemy 2, typed). Timestamps are naive UTC."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from assessment.core.enums import JobStatus, Role, Status

# A naming convention makes constraint names stable, so Alembic batch migrations work on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Current time as naive UTC (what every column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_public_id() -> str:
    """An unguessable id for URLs (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Enterprise(Base):
    __tablename__ = "enterprise"
    # Invariants the code keeps, held by the database too (migration 0006). CHECK names come out
    # as ck_<table>_<name> through the naming convention; the IN lists are the enums' values.
    __table_args__ = (
        CheckConstraint("employees >= 0", name="employees_not_negative"),
        CheckConstraint("revenue_wan >= 0", name="revenue_not_negative"),
        CheckConstraint("size_class IN ('large', 'medium', 'small', 'micro')", name="size_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(40), index=True)
    industry: Mapped[str] = mapped_column(String(40), index=True)
    employees: Mapped[int] = mapped_column(Integer)
    revenue_wan: Mapped[float] = mapped_column(Float)  # 营业收入, 万元
    size_class: Mapped[str] = mapped_column(String(10), index=True)
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="enterprise")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="enterprise", order_by="Assessment.created_at"
    )


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('enterprise', 'bureau', 'admin', 'provider', 'town_officer')", name="role"
        ),
        CheckConstraint(
            "membership IS NULL OR membership IN ('owner', 'member')", name="membership"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=Role.ENTERPRISE)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout and password reset: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Owner or member of `enterprise` (enterprise users only).
    membership: Mapped[str | None] = mapped_column(String(10))
    # Shown beside what the user saved ("张三 saved this page …"); the email when empty.
    display_name: Mapped[str] = mapped_column(String(60), default="")
    # Providers: the service provider's organisation (数字化服务商), shown in history and PDFs.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # Set when the user followed the link mailed to the address; needed before a first submit.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # TOTP (MFA): the base32 secret while enrolled, when enrolment was confirmed, and the last
    # 30-second time step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Town officers: the town codes (data/cixi.yaml) whose enterprises they see.
    towns: Mapped[list[str] | None] = mapped_column(JsonType)

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="users")

    @property
    def label(self) -> str:
        """How the user is named to others: display name, else email."""
        return self.display_name or self.email

    # The four members Flask-Login expects of a user, defined here so models need no web library.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in, and their sessions end."""
        return self.active

    def get_id(self) -> str:
        """The session token: the id with the session version, so bumping it ends old sessions."""
        return f"{self.id}:{self.session_version}"


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


class Campaign(Base):
    """A 填报任务: which enterprises must assess which questionnaires between two dates."""

    __tablename__ = "campaign"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    questionnaire_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    targets: Mapped[list[CampaignTarget]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


class CampaignTarget(Base):
    """One enterprise a campaign expects, as imported (by USCC), bound to the registered
    enterprise once it registers (through its personal link or with the same USCC)."""

    __tablename__ = "campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "uscc", name="uq_campaign_target_uscc"),
        Index("ix_campaign_target_campaign_town", "campaign_id", "town"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(40))
    industry: Mapped[str] = mapped_column(String(40))
    size_class: Mapped[str | None] = mapped_column(String(10))
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue_wan: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The personal invitation code (in the link and printed on the letter); unguessable.
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    enterprise: Mapped[Enterprise | None] = relationship()


class CampaignReminder(Base):
    """A reminder email sent to a target (at most one per target per week)."""

    __tablename__ = "campaign_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_target.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # not_started | not_submitted | returned
    email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RecoveryCode(Base):
    """A one-time MFA recovery code (hashed), for a user who lost the authenticator."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class Invitation(Base):
    """An owner's invitation of a colleague by email into the enterprise (valid 7 days).

    The emailed link carries `token`; only its hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    enterprise: Mapped[Enterprise] = relationship()


class ProviderGrant(Base):
    """An enterprise's grant to a service provider account to fill and view on its behalf,
    from `created_at` until `expires_at` or until revoked."""

    __tablename__ = "provider_grant"
    __table_args__ = (Index("ix_provider_grant_provider", "provider_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    enterprise: Mapped[Enterprise] = relationship()
    provider: Mapped[User] = relationship(foreign_keys=[provider_id])


class ApiToken(Base):
    """A personal access token for the API: shown once, stored as a SHA-256 hash, with scopes,
    an expiry and the time it was last used."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    # The first characters of the token, shown in lists so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class IdempotentRequest(Base):
    """The stored response to an API request sent with an `Idempotency-Key`, so a retry gets the
    same answer instead of doing the work twice (e.g. two submitted assessments)."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_idempotent_request_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    # What the key was used for (method, path, body digest): the same key for another request
    # is refused rather than answered with the wrong stored response.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    ip: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class AppState(Base):
    """Small shared counters, e.g. the benchmark generation bumped by every submit, so each
    worker's benchmark cache knows when it is stale."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class ExportJob(Base):
    """A batch of PDF reports built in the background into one ZIP, with progress."""

    __tablename__ = "export_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str | None] = mapped_column(String(400))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
