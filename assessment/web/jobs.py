"""Background jobs on Huey: the queue that wakes workers, the handlers by kind, the runner of one
attempt, the reaper, and the consumer embedded in the dev server.

The `job` row is the truth (`assessment/services/jobs.py`); a Huey message only says "job N may be
due". Huey stores its queue in Redis (`JOB_QUEUE_URL=redis://…`, several app nodes and worker
processes) or in a SQLite file (the default, `<instance>/job-queue.sqlite3`: a laptop with no
other service, and a queue that survives a restart). Workers: `flask --app app jobs-worker`,
or, for `make run`, a consumer thread inside the dev server (`JOBS_EMBEDDED`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer

from assessment.core.enums import JobStatus
from assessment.services import jobs
from assessment.services.models import Job
from assessment.web.extensions import db

log = logging.getLogger(__name__)
JobError = jobs.JobError  # handlers raise it with a reason for the status page
# A queued job due for this long without a worker taking it lost its wake-up message.
LOST_WAKEUP = timedelta(minutes=2)


@dataclass
class Outcome:
    """What a handler produced: a small summary shown on the status page, and a file."""

    result: dict[str, Any] | None = None
    file: tuple[str, IO[bytes]] | None = None


@dataclass
class Attempt:
    """One attempt at a job, handed to its handler: the job (read it, do not write it) and the
    way to report progress (which also beats the heart; LostClaim stops the handler)."""

    app: Flask
    job: Job
    token: str

    def progress(self, done: int, total: int | None = None, result: dict | None = None) -> None:
        """Record progress (committed)."""
        jobs.progress(db.session, self.job.id, self.token, done, total, result)


Handler = Callable[[Attempt], Outcome]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of `kind`."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def configure(app: Flask) -> None:
    """The app's queue (`app.extensions["jobs"]`), and the embedded consumer when asked."""
    app.extensions["jobs"] = make_queue(app)
    if app.config.get("JOBS_EMBEDDED"):
        app.extensions["jobs_consumer"] = start_embedded(app)


def make_queue(app: Flask) -> Huey:
    """The Huey instance of `JOB_QUEUE_URL` (redis://… or a SQLite file path), with the two tasks:
    run one job, and reap (every minute and when a worker starts)."""
    url = app.config.get("JOB_QUEUE_URL") or ""
    name = app.config.get("JOB_QUEUE_NAME") or "cixi-jobs"
    if url.startswith(("redis://", "rediss://", "unix://")):
        queue: Huey = RedisHuey(name, url=url, results=False)
    else:
        path = url.removeprefix("sqlite:///") or str(Path(app.instance_path) / "job-queue.sqlite3")
        queue = SqliteHuey(name, filename=path, results=False)

    @queue.task(name="run_job")
    def run_job_task(job_id: int) -> None:
        with app.app_context():
            run_attempt(app, job_id)

    @queue.periodic_task(crontab(), name="reap_jobs")
    def reap_task() -> None:
        with app.app_context():
            reap(app)

    @queue.on_startup()
    def reap_on_start() -> None:
        with app.app_context():
            reap(app)

    app.extensions["jobs_task"] = run_job_task
    return queue


def enqueue(app: Flask, job: Job, eta: datetime | None = None) -> None:
    """Wake a worker for `job` now or at `eta` (naive UTC). Losing this message loses nothing:
    the reaper wakes one for every queued job left due."""
    task = app.extensions["jobs_task"]
    if eta is None:
        task(job.id)
    else:
        task.schedule(args=(job.id,), eta=eta.replace(tzinfo=UTC))


def submit(app: Flask, kind: str, params: dict[str, Any], *, user_id: int | None = None,
           total: int = 0) -> Job:  # fmt: skip
    """Create a job of `kind` (committed) and wake a worker for it."""
    job = jobs.create(db.session, kind, params, user_id=user_id, total=total,
                      max_attempts=app.config["JOB_MAX_ATTEMPTS"])  # fmt: skip
    enqueue(app, job)
    return job


def run_attempt(app: Flask, job_id: int) -> None:
    """Claim the job and run its handler once; on an error, retry later or end it failed."""
    session = db.session
    token = jobs.claim(session, job_id)
    if token is None:
        return  # taken by another worker, not due yet, or ended
    job = session.get(Job, job_id, populate_existing=True)
    kind, number = job.kind, job.attempts  # read now: a failed handler may leave the session broken
    try:
        outcome = HANDLERS[kind](Attempt(app, job, token))
        try:
            jobs.finish(session, job_id, token, outcome.result, outcome.file)
        finally:
            if outcome.file is not None:
                outcome.file[1].close()
    except jobs.LostClaim:
        session.rollback()
        log.warning("job %s: attempt given away by the reaper; stopped", job_id)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job and retried
        log.warning("job %s (%s): attempt %s failed", job_id, kind, number,
                    exc_info=not isinstance(exc, JobError))  # fmt: skip
        final = isinstance(exc, JobError) and not exc.retry
        after = jobs.fail_attempt(session, job_id, token, _reason(exc),
                                  app.config["JOB_RETRY_DELAY"], final)  # fmt: skip
        if after is not None and after.status == JobStatus.QUEUED:
            enqueue(app, after, after.next_attempt_at)


def _reason(exc: Exception) -> str:
    """The reason shown on the status page: a JobError's own, else the error's first line (a
    database error's SQL and parameters stay in the log)."""
    if isinstance(exc, JobError):
        return exc.reason
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


def reap(app: Flask) -> None:
    """Queue again the jobs whose worker went silent, and wake workers for queued jobs whose
    message was lost."""
    session = db.session
    for job in jobs.reap(session, app.config["JOB_STALE_SECONDS"], app.config["JOB_RETRY_DELAY"]):
        log.warning("job %s: worker gone; queued again (attempt %s done)", job.id, job.attempts)
        enqueue(app, job)
    for job_id in jobs.due(session, LOST_WAKEUP):
        app.extensions["jobs_task"](job_id)


class EmbeddedConsumer(Consumer):
    """A Huey consumer of worker threads inside another program (the dev server, tests): it
    leaves the program's signal handlers alone."""

    def _set_signal_handlers(self) -> None:
        pass

    def shutdown(self, timeout: float = 10) -> None:
        """Stop taking tasks and wait for the running ones (at most `timeout` seconds)."""
        self.stop_flag.set()
        for _, thread in self.worker_threads:
            thread.join(timeout)
        self.scheduler.join(timeout)


def start_embedded(app: Flask, workers: int = 1) -> EmbeddedConsumer:
    """Start a consumer of `app`'s queue in background threads of this process."""
    consumer = EmbeddedConsumer(app.extensions["jobs"], workers=workers, worker_type="thread",
                                periodic=True, check_worker_health=False, max_delay=1.0)  # fmt: skip
    consumer.start()
    return consumer
