"""Issue 6's load test: 50 simulated enterprises fill and submit at once against gunicorn
(2 workers, gthread) on SQLite and on PostgreSQL; requests/s and p95 per request type, errors,
and the submitted row count checked against the submissions made. Loopback only, bounded.

    python -m bench.submit_load [--enterprises 50]
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select

from assessment.core.cohorts import TOTAL
from assessment.core.uscc import make_uscc
from assessment.services.accounts import Registration, register_enterprise
from assessment.services.migrate import upgrade
from assessment.services.models import Assessment, ScoreBin
from assessment.web.app import create_app
from assessment.web.extensions import db
from tests.helpers import page_form, typical_answers

from . import pg
from .common import OUT
from .load import gunicorn

PASSWORD = "Load-Test-Pass-2025"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOCK = re.compile(r'name="lock_version"[^>]*value="(\d+)"')


class Browser:
    """One simulated user: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int, times: dict, lock: threading.Lock):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.times, self.lock = times, lock

    def request(self, kind: str, method: str, path: str, form=None) -> tuple[int, str, str]:
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        with self.lock:
            self.times[kind].append((elapsed, response.status))
        return response.status, response.getheader("Location") or "", text


def enterprise_journey(port: int, n: int, questionnaire, answers, times, lock, errors) -> None:
    """Sign in, start, fill every page (GET + save), submit."""
    b = Browser(port, times, lock)
    try:
        _, _, page = b.request("login page", "GET", "/auth/login")
        form = {
            "email": f"load{n}@example.com",
            "password": PASSWORD,
            "csrf_token": CSRF.search(page)[1],
        }
        status, _, _ = b.request("sign in", "POST", "/auth/login", form)
        _, _, home = b.request("my assessments", "GET", "/my")
        status, url, _ = b.request("start", "POST", f"/my/start/{questionnaire.id}",
                                   {"csrf_token": CSRF.search(home)[1]})  # fmt: skip
        base = url.replace("http://127.0.0.1", "").rsplit("/", 1)[0]
        base = base[base.index("/a/") :]
        for index in range(len(questionnaire.pages)):
            _, _, page = b.request("survey page GET", "GET", f"{base}/{index}")
            data = page_form(questionnaire, index, answers, nav="next", lock=LOCK.search(page)[1])
            data["csrf_token"] = CSRF.search(page)[1]
            status, _, _ = b.request("page save POST", "POST", f"{base}/{index}", data)
            if status != 302:
                raise RuntimeError(f"save page {index}: {status}")
        review = base.rsplit("/page", 1)[0] + "/review"
        _, _, page = b.request("review GET", "GET", review)
        status, location, _ = b.request(
            "submit", "POST", review, {"csrf_token": CSRF.search(page)[1]}
        )
        if status != 302 or not location.endswith("/result"):
            raise RuntimeError(f"submit: {status}")
    except Exception as exc:  # noqa: BLE001 - counted and reported
        errors.append(f"enterprise {n}: {exc!r}")


def prepare(url: str, count: int):
    """A migrated database with `count` registered enterprises (no assessments)."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load", "TESTING": False})
    with app.app_context():
        upgrade(db.engine)
        for n in range(count):
            register_enterprise(db.session, Registration(
                make_uscc("330282", f"LD{n:06d}"), f"负载测试企业{n}", "zhouxiang", "appliances",
                80, 1500, "测试", "0574-63000000", f"load{n}@example.com", PASSWORD))  # fmt: skip
    return app


def run(url: str, where: str, count: int) -> None:
    """Start gunicorn on `url`, let `count` enterprises fill and submit at once, print the figures."""
    app = prepare(url, count)
    questionnaire = app.extensions["questionnaires"].get("cloud")
    answers = typical_answers(questionnaire)
    env = {"DATABASE_URL": url, "SECRET_KEY": "load", "RATELIMIT_ENABLED": "0",
           "INSTANCE_PATH": str(OUT / "instance"), "LOG_REQUESTS": "0"}  # fmt: skip
    times: dict[str, list] = defaultdict(list)
    lock, errors = threading.Lock(), []
    with gunicorn("app:app", env, "/healthz") as (port, _master):
        threads = [threading.Thread(target=enterprise_journey,
                                    args=(port, n, questionnaire, answers, times, lock, errors))
                   for n in range(count)]  # fmt: skip
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        wall = time.perf_counter() - started
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.scalar(
            select(func.count(Assessment.id)).where(Assessment.status == "submitted")
        )
        counted = connection.scalar(  # the city's score histogram: one count per latest submit
            select(func.sum(ScoreBin.n)).where(ScoreBin.cohort == "city", ScoreBin.metric == TOTAL)
        )
    engine.dispose()
    total = sum(len(v) for v in times.values())
    bad = sum(1 for v in times.values() for _t, status in v if status >= 400)
    print(f"\n{where}: {count} enterprises filled {len(questionnaire.pages)} pages and submitted "
          f"at once — {total} requests in {wall:.1f} s = {total / wall:.0f} req/s; "
          f"errors {len(errors) + bad}; submitted rows {rows}, in the histograms {counted} "
          f"(expected {count}): "
          f"{'OK' if rows == counted == count and not errors and not bad else 'MISMATCH'}")  # fmt: skip
    print(f"  {'request':<18} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
    for kind, samples in times.items():
        ms = sorted(t * 1000 for t, _s in samples)
        print(
            f"  {kind:<18} {len(ms):>5} {statistics.median(ms):>10.1f} "
            f"{ms[min(len(ms) - 1, int(0.95 * (len(ms) - 1)))]:>8.1f}"
        )
    for error in errors[:5]:
        print("  !", error)


def main() -> None:
    """SQLite, then PostgreSQL when it answers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=50)
    count = min(parser.parse_args().enterprises, 500)
    OUT.mkdir(exist_ok=True)
    path = OUT / "submit-load.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    run(f"sqlite:///{path}", "SQLite", count)
    if pg.reachable() is None:
        name = "bench_submit_load"
        pg.drop(name)
        pg._admin(f"CREATE DATABASE {name}")
        try:
            run(pg.URL.format(name=name), "PostgreSQL", count)
        finally:
            pg.drop(name)
    else:
        print("PostgreSQL not reachable: skipped")


if __name__ == "__main__":
    main()
