"""Figures of periods that have ended, computed once and stored for every worker and node.

A submit happens now, so it cannot change a period that ended before it: the dashboard of an
ended period changes only when history is rewritten (seed, repair, review decision, restore),
and each of those bumps the history generation (`services/cache.py`). The first request anywhere
computes the figures and stores them under (kind, filters, history generation); every later
request on any worker or machine reads that one row. Two workers asking at once may both compute
it; the primary key keeps one row (insert or ignore), so nothing is computed twice after that.
No Flask.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from assessment.services.bureau_filters import Filters
from assessment.services.models import StoredFigures
from assessment.services.upsert import insert_for


def _described(filters: Filters) -> str:
    """The filters as canonical JSON (equal filters, equal text)."""
    return json.dumps(filters.to_dict(), sort_keys=True, ensure_ascii=False)


def _key(described: str) -> str:
    return hashlib.sha256(described.encode("utf-8")).hexdigest()


def fetch(session: Session, kind: str, filters: Filters, generation: int) -> Any | None:
    """The stored figures (as JSON values) or None."""
    found = session.scalar(
        select(StoredFigures.figures).where(
            StoredFigures.kind == kind,
            StoredFigures.key == _key(_described(filters)),
            StoredFigures.generation == generation,
        )
    )
    return None if found is None else json.loads(found)


def store(session: Session, kind: str, filters: Filters, generation: int, figures: Any) -> None:
    """Keep `figures` (JSON values) for these filters at this generation, unless a row is there
    already, forget rows of older generations, and commit. A failed write (e.g. the database
    busy) is rolled back and forgotten: the figures are only not stored."""
    described = _described(filters)
    statement = insert_for(session)(StoredFigures.__table__).values(
        kind=kind, key=_key(described), generation=generation, filters=described,
        figures=json.dumps(figures, ensure_ascii=False),
    )  # fmt: skip
    try:
        session.execute(statement.on_conflict_do_nothing())
        session.execute(delete(StoredFigures).where(StoredFigures.generation < generation))
        session.commit()
    except DBAPIError:
        session.rollback()


def fetch_or_store(session: Session, kind: str, filters: Filters, generation: int,
                   compute: Callable[[], Any]) -> Any:  # fmt: skip
    """The stored figures, or `compute()` (JSON values), stored for every later request."""
    found = fetch(session, kind, filters, generation)
    if found is None:
        found = compute()
        store(session, kind, filters, generation, found)
    return found


def forget(bind) -> None:
    """Delete every stored figure (a restore rewrote the data they came from); the caller
    commits. `bind` is a Session or a Connection."""
    bind.execute(delete(StoredFigures))
