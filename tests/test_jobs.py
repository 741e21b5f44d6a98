"""Background jobs survive their worker: a `flask jobs-worker` process killed (SIGKILL) mid-job is
replaced by a new one that finishes the job — the ZIP whole, each reminder mailed once; a job
failing every attempt ends `failed` with its reason after growing delays; the status page shows
progress; Redis carries the queue where configured. Real database, queue, SMTP server; every
wait is bounded."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import uuid
import zipfile
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select

from assessment.core.uscc import make_uscc
from assessment.services import jobs
from assessment.services.cache import bump_generation
from assessment.services.campaigns import by_public_id
from assessment.services.models import (
    Assessment,
    CampaignReminder,
    CampaignTarget,
    Job,
    User,
    utcnow,
)

from . import factories as f
from .campaign_fixtures import bureau_client, make_campaign
from .conftest import app_session, csrf_from
from .helpers import typical_answers
from .job_helpers import consuming, job_row, stop_process, wait_for_job, worker_process
from .mail_sink import MailSink, _Collector

REPORTS = 12


def _enterprises_with_answers(app, count: int) -> None:
    with app_session(app) as s:
        answers = typical_answers(app.extensions["questionnaires"].get("lianghua"))
        for n in range(count):
            f.submitted(s, f.enterprise(s, "bearings", name=f"轴承企业{n:02d}"), 50 + n)
        for assessment in s.scalars(select(Assessment)):
            assessment.answers = answers
        bump_generation(s)
        s.commit()


def _killed_mid_job(app, started, *, partway) -> None:
    """Run a worker process until `partway(job)` holds, then SIGKILL it; the job stays running."""
    first = worker_process(app)
    try:
        wait_for_job(app, started, ("running",), 120, until=partway)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        stop_process(first)
    assert job_row(app, started).status == "running"  # nobody finished or failed it


def _finished_by_a_new_worker(app, started) -> Job:
    second = worker_process(app)
    try:
        return wait_for_job(app, started, ("done", "failed"), 180)
    finally:
        stop_process(second)


@pytest.mark.slow
def test_a_batch_killed_mid_run_is_finished_by_a_new_worker_with_a_whole_zip(make_app):
    app = make_app(JOB_RETRY_DELAY=1)
    _enterprises_with_answers(app, REPORTS)
    client = bureau_client(app)
    started = client.post("/bureau/reports?industry=bearings&period=24m")
    public_id = started.headers["Location"].rsplit("/", 1)[1]
    _killed_mid_job(app, public_id, partway=lambda job: 0 < job.done < REPORTS)
    job = _finished_by_a_new_worker(app, public_id)
    assert job.status == "done" and job.attempts == 2, vars(job)
    data = client.get(f"/bureau/jobs/{public_id}/download").data
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == len(set(names)) == REPORTS
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/bureau/jobs/{public_id}").text
    assert f"{REPORTS} of {REPORTS} reports built." in page and 'id="job-download"' in page


class _HoldingCollector(_Collector):
    """Keeps every message, except that the `hold_at`-th one is held unanswered until released
    and then refused: the sender never learns it was delivered (a worker killed mid-send)."""

    def __init__(self, hold_at: int) -> None:
        super().__init__()
        self.hold_at, self.holding, self.released = hold_at, False, False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            hold = len(self.messages) + 1 == self.hold_at and not self.released
        if not hold:
            return await super().handle_DATA(server, session, envelope)
        self.holding = True
        while not self.released:
            await asyncio.sleep(0.05)
        return "451 Try again later"


class HoldingSink(MailSink):
    """A real SMTP server on loopback that holds its `hold_at`-th message (see above)."""

    def __init__(self, hold_at: int) -> None:
        super().__init__()
        self._collector = _HoldingCollector(hold_at)
        self._controller.handler = self._collector


def _targets(app, public_id: str, count: int) -> list[str]:
    """`count` unregistered targets of the campaign, each with its own address."""
    emails = [f"target{n}@example.com" for n in range(count)]
    with app_session(app) as s:
        campaign = by_public_id(s, public_id, with_demo=True)
        for n, email in enumerate(emails):
            s.add(CampaignTarget(campaign_id=campaign.id, uscc=make_uscc("330282", f"MA2D{n:04d}"),
                                 name=f"提醒企业{n}", town="zhouxiang", industry="appliances",
                                 invite_code=f"HOLD{n:04d}XYZ", contact_email=email))  # fmt: skip
        s.commit()
    return emails


def _remind(client, public_id: str) -> str:
    from_page = client.get(f"/bureau/campaigns/{public_id}").text
    started = client.post(f"/bureau/campaigns/{public_id}/remind",
                          data={"csrf_token": csrf_from(from_page)})  # fmt: skip
    assert started.status_code == 302, started.status_code
    return started.headers["Location"].rsplit("/", 1)[1]


@pytest.mark.slow
def test_reminders_killed_mid_send_go_to_each_target_exactly_once(make_app):
    sink = HoldingSink(hold_at=3).start()
    try:
        app = make_app(MAIL_PORT=sink.port, JOB_RETRY_DELAY=1)
        public_id = make_campaign(app)
        emails = _targets(app, public_id, 5)
        client = bureau_client(app)
        started = _remind(client, public_id)
        # Killed while the server holds the third mail: two logged, the third never confirmed.
        _killed_mid_job(app, started, partway=lambda _job: sink._collector.holding)
        sink._collector.released = True
        job = _finished_by_a_new_worker(app, started)
        assert job.status == "done" and job.attempts == 2, vars(job)
        assert sorted(str(m["To"]) for m in sink.messages) == sorted(emails)  # each once
        with app_session(app) as s:
            logged = s.scalars(select(CampaignReminder)).all()
            assert len(logged) == 5 and all(r.ok for r in logged)
        assert job.result["sent"] == 3 and job.result["recent"] == 2  # the second attempt's part
    finally:
        sink._collector.released = True
        sink.stop()


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on: the mail server refuses
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_a_job_failing_every_attempt_ends_failed_with_its_reason_after_growing_delays(make_app):
    app = make_app(MAIL_PORT=_closed_port(), JOB_RETRY_DELAY=1, JOB_MAX_ATTEMPTS=3)
    public_id = make_campaign(app)
    _targets(app, public_id, 2)
    client = bureau_client(app)
    client.post("/language", data={"lang": "en", "next": "/"})
    started = _remind(client, public_id)
    delays = {}
    with consuming(app):
        for attempt in (1, 2):  # each failed attempt: queued again after 1 s, then 2 s
            job = wait_for_job(app, started, ("queued",), 60, poll=0.05,
                               until=lambda j, n=attempt: j.attempts == n)  # fmt: skip
            delays[attempt] = job.next_attempt_at - job.updated_at
        job = wait_for_job(app, started, ("failed",), 60)
    assert (
        job.attempts == 3 and job.error == "The mail server refused every reminder of this attempt."
    )
    assert delays[1] == timedelta(seconds=1) and delays[2] == timedelta(seconds=2)
    page = client.get(f"/bureau/jobs/{started}").text
    assert 'id="job-failed"' in page and "Reason (after 3 attempts)" in page
    assert "The mail server refused every reminder" in page and 'http-equiv="refresh"' not in page
    with app_session(app) as s:  # every attempt logged, none sent
        assert s.scalar(select(func.count(CampaignReminder.id))) == 6


def test_the_status_page_shows_progress_and_refreshes_while_running(app):
    client = bureau_client(app)
    with app_session(app) as s:
        user_id = s.scalar(select(User.id).where(User.email == "bureau@jxj.example"))
        job = jobs.create(s, "batch_reports", {"filters": {}, "lang": "zh"}, user_id=user_id,
                          total=40)  # fmt: skip
        token = jobs.claim(s, job.id)
        jobs.progress(s, job.id, token, 15)
        public_id = job.public_id
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/bureau/jobs/{public_id}").text
    assert "15 of 40 reports built." in page and 'aria-valuenow="15"' in page
    assert 'style="width: 38%"' in page and 'http-equiv="refresh"' in page
    assert client.get(f"/bureau/jobs/{public_id}/download").status_code == 404  # not done yet
    with app_session(app) as s:  # the attempt fails: queued again, and the page says why
        jobs.fail_attempt(s, s.scalar(select(Job.id)), token, "SMTPError: refused", 30)
    page = client.get(f"/bureau/jobs/{public_id}").text
    assert "Attempt 1 of 3 did not succeed" in page and "Reason: SMTPError: refused" in page
    other = bureau_client(app, "other@jxj.example")
    assert other.get(f"/bureau/jobs/{public_id}").status_code == 404  # someone else's job


def test_the_reaper_gives_a_silent_job_back_and_fails_it_after_the_last_attempt(session):
    job = jobs.create(session, "batch_reports", {}, max_attempts=2)
    first = jobs.claim(session, job.id)
    assert first and jobs.claim(session, job.id) is None  # one claim wins
    later = utcnow() + timedelta(seconds=61)
    assert jobs.reap(session, 120, 1, now=later) == []  # heartbeat 61 s old: still alive
    assert [j.id for j in jobs.reap(session, 60, 1, now=later)] == [job.id]
    assert (job.status, job.attempts, job.claim) == ("queued", 1, None)
    with pytest.raises(jobs.LostClaim):  # the silent attempt can no longer write
        jobs.progress(session, job.id, first, 3)
    second = jobs.claim(session, job.id, now=later)  # the reaper queued it for its own "now"
    assert second and jobs.reap(session, 60, 1, now=later + timedelta(seconds=61)) == []
    session.refresh(job)
    assert (job.status, job.error) == ("failed", jobs.WORKER_LOST)
    with pytest.raises(jobs.LostClaim):
        jobs.finish(session, job.id, second)


def test_a_dead_local_worker_is_reaped_at_once_and_a_lost_wakeup_is_found(session):
    job = jobs.create(session, "batch_reports", {})
    jobs.claim(session, job.id)
    dead = os.fork() if hasattr(os, "fork") else None
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    job.claim = f"{socket.gethostname()[:80]}:{dead}:feedface"
    session.commit()
    assert [j.id for j in jobs.reap(session, 3600, 1)] == [job.id]  # heartbeat fresh, pid gone
    assert jobs.due(session, timedelta(minutes=2)) == []
    assert jobs.due(session, timedelta(minutes=2), now=utcnow() + timedelta(minutes=3)) == [job.id]


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (TEST_REDIS_URL)")
    return client


def test_jobs_go_through_redis_where_it_is_configured(make_app, mail_sink):
    server = _redis_or_skip()
    name = f"{os.environ.get('TEST_REDIS_PREFIX', 'cixi_test')}_{uuid.uuid4().hex[:8]}"
    app = make_app(JOB_QUEUE_URL=REDIS_URL, JOB_QUEUE_NAME=name)
    try:
        public_id = make_campaign(app)
        emails = _targets(app, public_id, 2)
        client = bureau_client(app)
        started = _remind(client, public_id)
        assert server.llen(f"huey.redis.{name}") == 1  # the wake-up message waits in Redis
        with consuming(app) as worker:
            job = worker.wait(started)
        assert job.status == "done" and sorted(str(m["To"]) for m in mail_sink.messages) == emails
    finally:
        for key in server.scan_iter(f"*{name}*"):
            server.delete(key)
