"""Stored responses of API requests sent with an `Idempotency-Key`: a retry gets the first answer
instead of doing the work again; the same key for another request is refused. No Flask."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.services.models import IdempotentRequest


def fingerprint(method: str, path: str, body: Any) -> str:
    """What a key was used for: method, path and the canonical JSON of the body."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path} {canonical}".encode()).hexdigest()


def find(session: Session, token_id: int, key: str) -> IdempotentRequest | None:
    """The stored request of this token under this key, if any."""
    stmt = select(IdempotentRequest).where(
        IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
    )
    return session.scalars(stmt).first()


def store(session: Session, token_id: int, key: str, print_: str, status: int,
          body: dict[str, Any]) -> None:  # fmt: skip
    """Remember the response; a concurrent request that stored first wins (its answer stands)."""
    session.add(IdempotentRequest(token_id=token_id, key=key, fingerprint=print_, status=status,
                                  body=body))  # fmt: skip
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
