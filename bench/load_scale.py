"""The scale tier's load test (issue 17): two gunicorn nodes on one PostgreSQL database, Locust
(headless, bounded in users and time, loopback only) replaying bench/locustfile.py's mix.

Nodes are started here as bench/load.py starts its server (own process group, stopped always),
on fixed loopback ports. The accounts the simulated users sign in with are added to the database
first (idempotent). The submitted rows are counted before and after: the difference must equal
the submits Locust saw succeed.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from assessment.core.enums import Membership, Role, Status
from assessment.services.accounts import hash_password
from assessment.services.demo import DEMO_PASSWORD
from assessment.services.models import Assessment, Enterprise, User, utcnow
from assessment.web.extensions import db

from .common import OUT, ROOT, dispose, make_app
from .load import GUNICORN, WORKER_ARGS, _answers, app_env, stop_group

PORTS = (5141, 5142)
LOCUST = Path(sys.executable).with_name("locust")
BUREAU_ACCOUNTS = 10
# Redis database 5 holds the nodes' shared rate-limit counters (limits themselves are off: every
# simulated user comes from 127.0.0.1, where a real city's users come from many addresses).
REDIS = "redis://127.0.0.1:6379/5"


@dataclass
class LoadResult:
    """What one load run measured."""

    users: int
    seconds: int  # wall time of the Locust process (ramp-up, run, stop)
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    submits: int  # successful submits Locust recorded
    submitted_before: int
    submitted_after: int
    per_name: dict[str, tuple[int, int, float, float]]  # name → (requests, failures, median, p95)
    without_login: tuple[int, float, float]  # successful requests but sign-ins: count, median, p95

    @property
    def rows_match(self) -> bool:
        """Submitted rows added equal the submits made."""
        return self.submitted_after - self.submitted_before == self.submits


@contextmanager
def node(port: int, database_url: str) -> Iterator[int]:
    """One gunicorn node (2 workers × 4 threads) on 127.0.0.1:`port`; yields its master pid."""
    log = open(OUT / f"gunicorn-node-{port}.log", "w")  # noqa: SIM115
    env = {**os.environ, **app_env(database_url), "SECRET_KEY": "bench-scale-nodes",
           "RATELIMIT_ENABLED": "0", "RATELIMIT_STORAGE_URI": REDIS}  # fmt: skip
    command = [str(GUNICORN), *WORKER_ARGS, "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
               "app:app"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=OUT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not _answers(port, "/healthz"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"node on port {port} did not start; see {log.name}")
            time.sleep(0.3)
        yield proc.pid
    finally:
        stop_group(proc)
        log.close()


def accounts(app, enterprise_users: int) -> dict[str, list[str]]:
    """Sign-in addresses for the simulated users (created once, verified, demo password):
    enterprise owners of seeded firms spread over the id range, and bureau staff."""
    with app.app_context():
        password = hash_password(DEMO_PASSWORD)
        ids = list(db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        step = max(1, len(ids) // (enterprise_users + 1))
        wanted = {f"load-{n}@bench.example": (Role.ENTERPRISE, ids[(n + 1) * step])
                  for n in range(enterprise_users)}  # fmt: skip
        wanted |= {f"load-bureau-{n}@bench.example": (Role.BUREAU, None)
                   for n in range(BUREAU_ACCOUNTS)}  # fmt: skip
        have = set(db.session.scalars(select(User.email).where(User.email.in_(list(wanted)))))
        for email, (role, enterprise_id) in wanted.items():
            if email not in have:
                db.session.add(User(email=email, password_hash=password, role=role,
                                    enterprise_id=enterprise_id, email_verified_at=utcnow(),
                                    membership=Membership.OWNER if enterprise_id else None))  # fmt: skip
        db.session.commit()
    return {
        "enterprise": [e for e, (role, _) in wanted.items() if role == Role.ENTERPRISE],
        "bureau": [e for e, (role, _) in wanted.items() if role == Role.BUREAU],
    }


def submitted(app) -> int:
    """Submitted assessments in the database."""
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Assessment.id)).where(Assessment.status == Status.SUBMITTED)
        )
        db.session.rollback()
        return count


def _stats(prefix: Path) -> dict[str, tuple[int, int, float, float]]:
    """(requests, failures, median ms, p95 ms) by request name from Locust's stats CSV."""
    out = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["Name"]] = (int(row["Request Count"]), int(row["Failure Count"]),
                                float(row["50%"] or 0), float(row["95%"] or 0))  # fmt: skip
    return out


def run(database_url: str, users: int = 200, seconds: int = 60, log=print) -> LoadResult:
    """Start two nodes, run Locust against them for `seconds`, stop everything; the result."""
    OUT.mkdir(exist_ok=True)
    app = make_app(database_url)
    try:
        names = accounts(app, users)
        account_file = OUT / "load-accounts.json"
        account_file.write_text(json.dumps(names))
        before = submitted(app)
        prefix = OUT / "locust"
        with ExitStack() as stack:
            for port in PORTS:
                stack.enter_context(node(port, database_url))
            log(f"nodes up on {', '.join(map(str, PORTS))}; Locust: {users} users, {seconds} s")
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_ACCOUNTS": str(account_file),
                   "BENCH_PASSWORD": DEMO_PASSWORD, "BENCH_TIMINGS": str(OUT / "locust-times.json"),
                   "BENCH_NODES": ",".join(f"http://127.0.0.1:{p}" for p in PORTS)}  # fmt: skip
            command = [str(LOCUST), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                       "-u", str(users), "-r", str(max(1, users // 20)), "-t", f"{seconds}s",
                       "--stop-timeout", "30", "--csv", str(prefix), "--only-summary",
                       "--host", f"http://127.0.0.1:{PORTS[0]}", "--exit-code-on-error", "0"]  # fmt: skip
            started = time.monotonic()
            with open(OUT / "locust.log", "w") as output:
                subprocess.run(command, cwd=ROOT, env=env, stdout=output,
                               stderr=subprocess.STDOUT, timeout=seconds + 120, check=True)  # fmt: skip
            ran = round(time.monotonic() - started)
        after = submitted(app)
    finally:
        dispose(app)
    stats = _stats(prefix)
    total = stats.pop("Aggregated")
    submits = stats.get("submit", (0, 0, 0, 0))
    times = sorted(json.loads((OUT / "locust-times.json").read_text()))
    rest = (
        (len(times), times[len(times) // 2], times[int(0.95 * (len(times) - 1))])
        if times
        else (0, 0.0, 0.0)
    )
    return LoadResult(users, ran, total[0], total[1], total[2], total[3],
                      submits[0] - submits[1], before, after, stats, rest)  # fmt: skip
