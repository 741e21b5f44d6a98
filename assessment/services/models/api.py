"""API tokens and the stored answers to idempotent API requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.services.models.base import Base, JsonType, utcnow

if TYPE_CHECKING:
    from assessment.services.models.enterprise import User


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
