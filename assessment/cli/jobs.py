"""`flask --app app jobs-worker`: the process that runs background jobs (batch PDFs, reminder and
invitation emails, target imports) from the queue of `JOB_QUEUE_URL`; `flask --app app jobs`
lists the recent ones."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from assessment.services.models import Job
from assessment.web.extensions import db


@click.command("jobs-worker")
@click.option("--threads", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Jobs run at the same time by this process.")  # fmt: skip
@with_appcontext
def jobs_worker_command(threads: int) -> None:
    """Run background jobs until stopped (SIGINT: finish the running jobs first; SIGTERM: stop
    at once — an interrupted job is queued again by the reaper and run from the start).

    Start one or more per node next to gunicorn (`make serve` says how); with Redis
    (JOB_QUEUE_URL=redis://…) any worker of any node takes any job."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    queue = current_app.extensions["jobs"]
    consumer = queue.create_consumer(workers=threads, worker_type="thread", periodic=True,
                                     max_delay=1.0, check_worker_health=True)  # fmt: skip
    consumer.run()


@click.command("jobs")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@with_appcontext
def jobs_command(limit: int) -> None:
    """The most recent background jobs: kind, status, attempts, progress, error."""
    rows = db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit))
    for job in rows:
        error = f"  {job.error}" if job.error else ""
        click.echo(f"{job.id:>6} {job.kind:<20} {job.status:<8} {job.attempts}/{job.max_attempts} "
                   f"{job.done}/{job.total}{error}")  # fmt: skip
