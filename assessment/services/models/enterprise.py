"""Enterprises and the accounts that sign in (enterprise users, staff, providers, officers)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.core.enums import Role
from assessment.services.models.base import Base, JsonType, new_public_id, utcnow

if TYPE_CHECKING:
    from assessment.services.models.assessment import Assessment


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
