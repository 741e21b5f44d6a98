"""CPU seconds a bench phase used, in this process (and its waited-for children) and in the
PostgreSQL server processes working on one (fresh) database: on a shared machine the wall time depends on
the other tenants, the CPU time much less, so the seed reports both (bench/scale_db.py).

PostgreSQL's processes are found in pg_stat_activity twice a second (backends, parallel workers,
autovacuum on this database) and read from /proc (Linux, same host); a process that lived less
than half a second may be missed.
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float | None:
    """utime + stime of a process in seconds, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of stat(5)


def _own_cpu() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


class CpuMeter:
    """Use as a context manager around a phase; then read `python` and `postgres` seconds."""

    def __init__(self, admin_dsn: str, database: str, interval: float = 0.5) -> None:
        self.admin_dsn, self.database, self.interval = admin_dsn, database, interval
        self.seen: dict[int, float] = {}  # pid → its CPU seconds when last seen
        self.python = self.postgres = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> CpuMeter:
        self._began = _own_cpu()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
                ).fetchall()
                for (pid,) in pids:
                    cpu = _process_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = cpu

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.python = _own_cpu() - self._began
        # Every process on the database started within the measured span (a fresh database).
        self.postgres = sum(self.seen.values())
