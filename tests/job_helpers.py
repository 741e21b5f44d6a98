"""Background jobs in tests: a real Huey consumer (threads in the test process, or a separate
`flask jobs-worker` process to kill), and waiting for a job to end, always bounded in time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from assessment.services.models import Job
from assessment.web.extensions import db
from assessment.web.jobs import EmbeddedConsumer, start_embedded

PROJECT_DIR = Path(__file__).resolve().parents[1]
ENDED = ("done", "failed")


class JobWorker:
    """A consumer of the app's queue in threads of the test process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.consumer: EmbeddedConsumer = start_embedded(app)

    def stop(self) -> None:
        """Stop taking jobs; wait for the running one."""
        self.consumer.shutdown(timeout=30)

    def wait(self, public_id: str | None = None, timeout: float = 60) -> Job:
        """The job (the newest one when no id is given) once it has ended; fails after
        `timeout` seconds."""
        return wait_for_job(self.app, public_id, ENDED, timeout)


def job_row(app: Flask, public_id: str | None = None) -> Job | None:
    """The job (the newest when no id is given), read fresh, detached from the session."""
    with app.app_context():
        stmt = select(Job).order_by(Job.id.desc()).limit(1)
        if public_id is not None:
            stmt = select(Job).where(Job.public_id == public_id)
        job = db.session.scalar(stmt)
        if job is not None:
            db.session.expunge(job)
        return job


def wait_for_job(app: Flask, public_id: str | None, states, timeout: float, poll=0.1,
                 until=None) -> Job:  # fmt: skip
    """Poll until the job is in one of `states` (and `until(job)` holds, when given)."""
    deadline = time.monotonic() + timeout
    while True:
        job = job_row(app, public_id)
        if job is not None and job.status in states and (until is None or until(job)):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job not {states} within {timeout} s: {job and vars(job)}")
        time.sleep(poll)


def worker_process(app: Flask, extra_env: dict | None = None) -> subprocess.Popen:
    """`flask --app app jobs-worker` in its own process, on the test app's database, queue,
    instance folder and mail server (its output goes to the instance folder's worker.log)."""
    config = app.config
    env = {
        **os.environ,
        "DATABASE_URL": config["DATABASE_URL"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": config["SECRET_KEY"],
        "MAIL_BACKEND": config["MAIL_BACKEND"],
        "MAIL_SERVER": str(config["MAIL_SERVER"]),
        "MAIL_PORT": str(config["MAIL_PORT"]),
        "JOB_QUEUE_URL": config.get("JOB_QUEUE_URL") or "",
        "JOB_QUEUE_NAME": config["JOB_QUEUE_NAME"],
        "JOB_RETRY_DELAY": str(config["JOB_RETRY_DELAY"]),
        "JOB_STALE_SECONDS": str(config["JOB_STALE_SECONDS"]),
        "JOB_MAX_ATTEMPTS": str(config["JOB_MAX_ATTEMPTS"]),
        **(extra_env or {}),
    }
    log = open(Path(app.instance_path) / "worker.log", "ab")  # noqa: SIM115 - the child holds it
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "jobs-worker", "--threads", "1"],
        cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop_process(process: subprocess.Popen) -> None:
    """End a worker process started by `worker_process` (if still running) and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


@contextmanager
def consuming(app: Flask) -> Iterator[JobWorker]:
    """`with consuming(app) as worker:` a consumer for an app built by `make_app`."""
    worker = JobWorker(app)
    try:
        yield worker
    finally:
        worker.stop()
