"""Campaigns (填报任务): their target enterprises and the reminders sent to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.services.models.base import Base, JsonType, new_public_id, utcnow

if TYPE_CHECKING:
    from assessment.services.models.enterprise import Enterprise


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
