"""The one cross-request cache of a worker process, and the generations that invalidate it.

Every figure computed from submitted data (cohort tables, dashboards, stage shares) is cached
here under a namespace and a key that includes a *generation* read from the database:

* `GENERATION` (`benchmark_generation` in `app_state`) changes with every write of submitted data
  (each submit, in its own transaction; seeds and repairs);
* `HISTORY` changes only when data of periods that have already ended may change (seeds, repairs),
  because a submit happens now and cannot change an ended period.

A writer bumps the counter inside its transaction, so the moment it commits, every worker on every
machine reads a new generation on its next request and stops using the old entries (they age out
of the LRU). A worker therefore never serves figures older than the last commit it can see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.services.models import AppState
from assessment.services.upsert import insert_for

GENERATION = "benchmark_generation"
HISTORY = "history_generation"

T = TypeVar("T")


class Cache:
    """A thread-safe LRU shared by every request of one worker process."""

    def __init__(self, size: int = 1024):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, namespace: str, key: Hashable) -> Any | None:
        """The cached value or None."""
        full = (namespace, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
            self.misses += 1
            return None

    def put(self, namespace: str, key: Hashable, value: Any) -> None:
        """Store a value, evicting the least recently used."""
        with self._lock:
            self._items[(namespace, key)] = value
            self._items.move_to_end((namespace, key))
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get_or_compute(self, namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value, computed and stored on a miss (two threads may both compute it)."""
        found = self.get(namespace, key)
        if found is None:
            found = compute()
            self.put(namespace, key, found)
        return found

    def clear(self) -> None:
        """Forget everything (as a worker restart does)."""
        with self._lock:
            self._items.clear()


def generation(session: Session, counter: str = GENERATION) -> int:
    """The current value of a generation counter (0 before the first bump)."""
    return session.scalar(select(AppState.value).where(AppState.key == counter)) or 0


def bump_generation(session: Session, history: bool = False) -> None:
    """Invalidate every worker's cached figures; call inside the writing transaction.

    `history=True` also invalidates figures of periods that have ended: pass it from writers of
    anything but a submit happening now (seed, repairs). A restore needs the workers restarted,
    which empties their caches. One upsert per counter, so concurrent first submits cannot both
    insert it (the migration creates the row, but a restored or emptied table may lack it).
    """
    insert = insert_for(session)
    for key in (GENERATION, HISTORY) if history else (GENERATION,):
        statement = insert(AppState).values(key=key, value=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[AppState.key], set_={"value": AppState.value + 1}
            )
        )
