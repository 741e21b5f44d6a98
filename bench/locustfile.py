"""Locust users for the scale tier's load test (issue 17, bench/load_scale.py starts them).

Enterprise users fill a questionnaire page by page (GET, then a save that moves on), submit it,
look at the result and their home page, and start again; bureau users browse the dashboard
(periods and filters), the enterprise list and enterprise details. Each request goes to the next
node in turn (round robin over BENCH_NODES): the session cookie, signed with the shared secret,
is valid on both. Think time between requests: 1–5 s. CSRF tokens are read from the pages, as a
browser sends them. Successful submits are counted by their request name ("submit").
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

from assessment.core.questionnaire.registry import Registry
from tests.helpers import page_form, typical_answers

ROOT = Path(__file__).resolve().parent.parent
NODES = os.environ.get("BENCH_NODES", "http://127.0.0.1:5141").split(",")
ACCOUNTS = json.loads(Path(os.environ.get("BENCH_ACCOUNTS", "/dev/null")).read_text() or "{}")
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
QUESTIONNAIRES = ("lianghua", "cloud")
REGISTRY = Registry.from_directory(ROOT / "questionnaires")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOCK = re.compile(r'name="lock_version"[^>]*value="(\d+)"')
DETAIL = re.compile(r'href="(/bureau/enterprises/[A-Za-z0-9_-]+)"')
YEAR = date.today().year
# Response times (ms) of every request but the sign-in (password hashing is slow on purpose),
# written to BENCH_TIMINGS when Locust quits: bench/load_scale.py takes their p95.
_times: list[float] = []
_enterprise_logins = itertools.count()
_bureau_logins = itertools.count()


class _Node(HttpUser):
    """A user whose every request goes to the next node in turn."""

    abstract = True
    host = NODES[0]
    wait_time = between(1, 5)

    def on_start(self) -> None:
        """Sign in (the login form's CSRF token first)."""
        self.turn = itertools.cycle(NODES)
        self.csrf = ""
        page = self.get("/auth/login", "login form")
        self.csrf = _token(page.text)
        with self.client.post(
            next(self.turn) + "/auth/login", name="login", allow_redirects=False,
            data={"email": self.email(), "password": PASSWORD, "csrf_token": self.csrf},
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"login: HTTP {response.status_code}")

    def email(self) -> str:
        """The account this user signs in with."""
        raise NotImplementedError

    def get(self, path: str, name: str):
        """GET `path` on the next node; anything but 200 is a failure."""
        with self.client.get(next(self.turn) + path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "csrf_token" in response.text:
                self.csrf = _token(response.text) or self.csrf
            return response

    def post(self, path: str, name: str, data: dict, expect: str = "") -> str | None:
        """POST a form to the next node; a failure unless it redirects (to `expect`, if given).
        Returns where it redirects."""
        with self.client.post(next(self.turn) + path, name=name, allow_redirects=False,
                              data={**data, "csrf_token": self.csrf},
                              catch_response=True) as response:  # fmt: skip
            location = response.headers.get("Location", "")
            if response.status_code != 302 or expect not in location:
                response.failure(f"HTTP {response.status_code} → {location or 'no redirect'}")
                return None
            return urlsplit(location).path


def _token(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class EnterpriseUser(_Node):
    """Fills, saves and submits questionnaires one request at a time, then views the result."""

    weight = 9

    def email(self) -> str:
        accounts = ACCOUNTS["enterprise"]
        return accounts[next(_enterprise_logins) % len(accounts)]

    def on_start(self) -> None:
        super().on_start()
        self.step = self.home

    @task
    def next_step(self) -> None:
        """One request of the home-fill-submit-view cycle (so a stopping run ends between two)."""
        self.step = self.step() or self.home

    def fresh_draft(self):
        self.questionnaire = REGISTRY.get(random.choice(QUESTIONNAIRES))
        self.answers = typical_answers(self.questionnaire, random.choice(("middle", "best")))
        where = self.post(f"/my/start/{self.questionnaire.id}", "start draft", {}, "/page/")
        if where is None:
            return None
        self.draft, self.index = where.split("/page/")[0], int(where.rsplit("/", 1)[1])
        return self.show_page

    def show_page(self):
        response = self.get(f"{self.draft}/page/{self.index}", "survey page")
        match = LOCK.search(response.text or "")
        if response.status_code != 200 or match is None:
            return None
        self.lock = match.group(1)
        return self.save_page

    def save_page(self):
        form = page_form(self.questionnaire, self.index, self.answers, "next", self.lock)
        where = self.post(f"{self.draft}/page/{self.index}", "page save", form)
        if where is None:
            return None
        if "/page/" in where:
            self.index = int(where.rsplit("/", 1)[1])
            return self.show_page
        return self.submit

    def submit(self):
        if self.post(f"{self.draft}/review", "submit", {}, "/result") is None:
            return None
        return self.result

    def result(self):
        self.get(f"{self.draft}/result", "result page")
        return None

    def home(self):
        self.get("/my", "enterprise home")  # also the CSRF token of the signed-in session
        return self.fresh_draft


class BureauUser(_Node):
    """Browses the dashboard (periods, filters), the enterprise list and enterprise details."""

    weight = 1

    def email(self) -> str:
        accounts = ACCOUNTS["bureau"]
        return accounts[next(_bureau_logins) % len(accounts)]

    @task(3)
    def dashboard(self) -> None:
        period = random.choice(("all", "12m", "24m", f"y{YEAR}", f"y{YEAR - 1}"))
        extra = random.choice(("", "&industry=auto_parts", "&size=small", "&town=hushan"))
        self.get(f"/bureau/?period={period}{extra}", "dashboard")

    @task(2)
    def enterprise_list(self) -> None:
        page = random.randint(1, 50)
        sort = random.choice(("total", "name"))
        response = self.get(f"/bureau/enterprises?sort={sort}&page={page}", "enterprise list")
        self.details = DETAIL.findall(response.text or "") or getattr(self, "details", [])

    @task(2)
    def enterprise_detail(self) -> None:
        if getattr(self, "details", None):
            self.get(random.choice(self.details), "enterprise detail")


@events.request.add_listener
def _record(name: str, response_time: float, exception=None, **_kwargs) -> None:
    if name != "login" and exception is None:
        _times.append(response_time)


@events.quitting.add_listener
def _write_times(**_kwargs) -> None:
    if os.environ.get("BENCH_TIMINGS"):
        Path(os.environ["BENCH_TIMINGS"]).write_text(json.dumps(_times))
