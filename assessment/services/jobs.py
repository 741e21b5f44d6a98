"""Durable background jobs, with the database as the source of truth. No Flask, no queue library.

A queue (Huey, wired in `assessment/web/jobs.py`) removes a message when a worker takes it, so a
worker killed mid-job would lose it. Here the `job` row decides instead: a worker *claims* a
queued job with one conditional UPDATE (only one claim can win), writes its progress together
with a heartbeat, and only the holder of the claim may finish it. `reap` finds the jobs whose
worker went silent (a stale heartbeat, or a dead process on this host) and queues them again;
`due` finds queued jobs whose wake-up message was lost. A failed attempt is retried after an
exponentially growing delay; after the last one the job ends `failed` with its reason.
"""

from __future__ import annotations

import io
import os
import secrets
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from assessment.core.enums import JobStatus
from assessment.core.text import N_
from assessment.services.models import Job, JobFileChunk, utcnow

CHUNK_BYTES = 1024 * 1024
# Reasons stored by the reaper; msgids, so the status page shows them in the reader's language.
WORKER_LOST = N_("The worker running this job stopped during each of its attempts.")
ERROR_CHARS = 1000


class JobError(Exception):
    """A failure a handler explains: `reason` (an English msgid or plain text) is shown on the
    status page; `retry=False` ends the job at once (retrying cannot help, e.g. a bad file)."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason, self.retry = reason, retry


class LostClaim(Exception):
    """The attempt no longer holds the job (the reaper gave it to another worker): stop quietly."""


def create(session: Session, kind: str, params: dict[str, Any], *, user_id: int | None = None,
           total: int = 0, max_attempts: int = 3) -> Job:  # fmt: skip
    """A queued job, committed (so a worker can see it as soon as it is woken)."""
    job = Job(kind=kind, params=params, user_id=user_id, total=total, max_attempts=max_attempts,
              next_attempt_at=utcnow())  # fmt: skip
    session.add(job)
    session.commit()
    return job


def by_public_id(session: Session, public_id: str) -> Job | None:
    """The job with this public id, if any."""
    return session.scalar(select(Job).where(Job.public_id == public_id))


def new_claim() -> str:
    """This process's claim token: the host and process id (so a dead process can be told on
    its own host) and a random part (so two attempts never share a token)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(8)}"


def claim(session: Session, job_id: int, now: datetime | None = None) -> str | None:
    """Take a queued, due job for one attempt; returns the claim token, or None when another
    worker holds it, it is not due yet, or it has ended."""
    now, token = now or utcnow(), new_claim()
    taken = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED, Job.next_attempt_at <= now)
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            claim=token,
            heartbeat_at=now,
            updated_at=now,
        )  # fmt: skip
    )
    session.commit()
    return token if taken.rowcount == 1 else None


def _held(job_id: int, token: str):
    return Job.id == job_id, Job.claim == token, Job.status == JobStatus.RUNNING


def progress(session: Session, job_id: int, token: str, done: int, total: int | None = None,
             result: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Record progress and beat the heart (committed); LostClaim when the attempt was given away.
    Handlers call it at least every `JOB_STALE_SECONDS`."""
    now = utcnow()
    values: dict[str, Any] = {"done": done, "heartbeat_at": now, "updated_at": now}
    if total is not None:
        values["total"] = total
    if result is not None:
        values["result"] = result
    changed = session.execute(update(Job).where(*_held(job_id, token)).values(**values))
    session.commit()
    if changed.rowcount != 1:
        raise LostClaim(job_id)


def finish(session: Session, job_id: int, token: str, result: dict[str, Any] | None = None,
           file: tuple[str, IO[bytes]] | None = None) -> None:  # fmt: skip
    """End the attempt as done, storing `file` = (name, readable binary stream) in the database
    in the same transaction: a job is never done without its whole file."""
    now, size = utcnow(), None
    session.execute(delete(JobFileChunk).where(JobFileChunk.job_id == job_id))
    if file is not None:
        size = _store_chunks(session, job_id, file[1])
    values: dict[str, Any] = {"status": JobStatus.DONE, "heartbeat_at": now, "updated_at": now,
                              "finished_at": now, "claim": None, "error": None,
                              "file_name": None, "file_size": None}  # fmt: skip
    if result is not None:
        values["result"] = result
    if file is not None:
        values |= {"file_name": file[0], "file_size": size}
    changed = session.execute(update(Job).where(*_held(job_id, token)).values(**values))
    if changed.rowcount != 1:
        session.rollback()
        raise LostClaim(job_id)
    session.commit()


def _store_chunks(session: Session, job_id: int, stream: IO[bytes]) -> int:
    size, seq = 0, 0
    while chunk := stream.read(CHUNK_BYTES):
        session.add(JobFileChunk(job_id=job_id, seq=seq, data=chunk))
        session.flush()
        size, seq = size + len(chunk), seq + 1
    return size


def attach_input(session: Session, job: Job, name: str, data: bytes) -> None:
    """Keep the file a job reads (an upload) with the job until its end (committed): any node's
    worker can read it; `finish` replaces it by the job's own file, if any."""
    job.file_name, job.file_size = name[:200], _store_chunks(session, job.id, io.BytesIO(data))
    session.commit()


def read_input(session: Session, job_id: int) -> bytes:
    """The file attached by `attach_input`."""
    return b"".join(file_chunks(session, job_id))


def file_chunks(session: Session, job_id: int) -> Iterator[bytes]:
    """The job's file, one chunk per query (never the whole file in memory)."""
    seq = 0
    while True:
        data = session.scalar(
            select(JobFileChunk.data).where(JobFileChunk.job_id == job_id, JobFileChunk.seq == seq)
        )
        if data is None:
            return
        yield bytes(data)
        seq += 1


def has_file(session: Session, job_id: int) -> bool:
    """True when the job's file is stored (a restored database keeps jobs but not their files)."""
    stmt = select(JobFileChunk.seq).where(JobFileChunk.job_id == job_id).limit(1)
    return session.scalar(stmt) is not None


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """Backoff after failed attempt number `attempt` (1, 2, …): base, 2×base, 4×base, …"""
    return timedelta(seconds=base_seconds * 2 ** (attempt - 1))


def fail_attempt(session: Session, job_id: int, token: str, reason: str, base_delay: float,
                 final: bool = False) -> Job | None:  # fmt: skip
    """End a failed attempt: queued again after the backoff, or `failed` with the reason after
    the last attempt (or at once when `final`). Returns the job (None when the attempt no longer
    held it)."""
    session.rollback()
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.claim != token or job.status != JobStatus.RUNNING:
        return None
    if final:
        job.max_attempts = job.attempts
    _after_attempt(job, reason, utcnow(), base_delay)
    session.commit()
    return job


def _after_attempt(job: Job, reason: str, now: datetime, base_delay: float) -> None:
    job.claim, job.updated_at, job.error = None, now, reason[:ERROR_CHARS]
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at = JobStatus.FAILED, now
    else:
        job.status = JobStatus.QUEUED
        job.next_attempt_at = now + retry_delay(job.attempts, base_delay)


def _process_gone(claim_token: str | None) -> bool:
    """True when the claim was taken by a process of this host that no longer runs."""
    host, _, rest = (claim_token or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap(session: Session, stale_seconds: float, base_delay: float,
         now: datetime | None = None) -> list[Job]:  # fmt: skip
    """Give back the running jobs whose worker went silent (no heartbeat for `stale_seconds`, or
    its process on this host is gone): queued again at once (the attempt counts), or failed
    when it was the last. Returns the jobs queued again."""
    now = now or utcnow()
    running = session.scalars(
        select(Job).where(Job.status == JobStatus.RUNNING).with_for_update(skip_locked=True)
    ).all()
    requeued = []
    for job in running:
        stale = job.heartbeat_at is None or job.heartbeat_at < now - timedelta(
            seconds=stale_seconds
        )
        if not (stale or _process_gone(job.claim)):
            continue
        _after_attempt(job, WORKER_LOST, now, 0)
        if job.status == JobStatus.QUEUED:
            requeued.append(job)
    session.commit()
    return requeued


def due(session: Session, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Queued jobs due for longer than `older_than`: their wake-up message was lost (a queue on
    another node, a queue emptied); the caller wakes a worker for each again."""
    now = now or utcnow()
    stmt = select(Job.id).where(
        Job.status == JobStatus.QUEUED, Job.next_attempt_at <= now - older_than
    )
    return list(session.scalars(stmt.order_by(Job.id)))
