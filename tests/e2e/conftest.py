"""Real-browser fixtures: Debian's Chromium driven by Playwright against the app served in a thread.

Every test gets its own freshly migrated database (the `make_app` fixture of tests/conftest.py), an
app served by werkzeug on a free 127.0.0.1 port, and a new browser context (cookies, downloads).
The browser is launched once for the folder and closed after it. Each test builds its own app
(per-test settings such as DEMO_MODE) and serves it on 127.0.0.1, with no SERVER_NAME to resolve.

When /usr/bin/chromium is missing or cannot start, every test here is skipped with the reason.
Screenshots go to tests/artifacts/ (git-ignored); a failing test also leaves `FAILED-<name>.png`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from assessment.core.questionnaire.model import NA, Question, Questionnaire

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
DEMO_PASSWORD = "cixi-demo-2025"
DEMO_BUREAU = "demo-bureau@cixi.example"
DEMO_ENTERPRISE = "demo-enterprise@cixi.example"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can screenshot a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium (never a downloaded browser); skip everything when it cannot run."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(
            executable_path=CHROMIUM, args=LAUNCH_ARGS, timeout=30_000
        )
    except PlaywrightError as exc:
        manager.stop()
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        pytest.skip(f"{CHROMIUM} cannot start: {first_line}")
    yield launched
    launched.close()
    manager.stop()


@pytest.fixture(scope="package")
def artifacts() -> Path:
    """tests/artifacts/, without the failure screenshots of an earlier run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("FAILED-*.png"):
        stale.unlink(missing_ok=True)
    return ARTIFACTS


# --- the served app -----------------------------------------------------------------------------


@dataclass
class Site:
    """One served app and one browser tab on it."""

    app: Any
    base_url: str
    page: Any
    artifacts: Path
    cli_output: str = ""
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        """The path (and query) of the page shown now."""
        return self.page.url[len(self.base_url) :]

    def shot(self, name: str) -> Path:
        target = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def questionnaire(self, questionnaire_id: str) -> Questionnaire:
        return self.app.extensions["questionnaires"].get(questionnaire_id)


def _console(site: Site, message) -> None:
    """Keep the browser's console errors (a CSP violation, a failed script, a missing file)."""
    if message.type != "error":
        return
    where = (message.location or {}).get("url", "")
    if where.endswith("/favicon.ico"):
        return  # the browser asks for it on its own; the app has none
    site.console_errors.append(f"{message.text} ({where})" if where else message.text)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown pytest's output
        pass


class _ServerThread(threading.Thread):
    def __init__(self, app):
        super().__init__(daemon=True)
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.port = self.server.server_port

    def run(self):
        self.server.serve_forever(poll_interval=0.1)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=5)


@pytest.fixture
def open_site(browser, make_app, artifacts, request):
    """`open_site(demo=N, **config)`: build the app (CSRF on, as in production), optionally seed
    N demo enterprises through the CLI, serve it, and open a browser tab on it."""
    servers: list[_ServerThread] = []
    contexts = []
    sites: list[Site] = []

    def factory(demo: int | None = None, seed: int = 5, **config) -> Site:
        settings = {"WTF_CSRF_ENABLED": True, **config}
        if demo:
            settings.setdefault("DEMO_MODE", True)
        app = make_app(**settings)
        output = ""
        if demo:
            result = app.test_cli_runner().invoke(
                args=["seed-demo", "--enterprises", str(demo), "--seed", str(seed)]
            )
            assert result.exit_code == 0, result.output
            output = result.output
        server = _ServerThread(app)
        server.start()
        servers.append(server)
        base_url = f"http://127.0.0.1:{server.port}"
        context = browser.new_context(
            base_url=base_url,
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        site = Site(app=app, base_url=base_url, page=page, artifacts=artifacts, cli_output=output)
        page.on("console", lambda message: _console(site, message))
        page.on("pageerror", lambda error: site.console_errors.append(str(error)))
        sites.append(site)
        return site

    yield factory
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for n, site in enumerate(sites):
            with contextlib.suppress(Exception):  # a screenshot must not hide the failure
                site.shot(f"FAILED-{name}{'-' + str(n) if n else ''}")
    for context in contexts:
        context.close()
    for server in servers:
        server.stop()
    # A session leaked by a request (see test_csv_export_gives_its_database_connection_back) holds
    # its connection idle in transaction until collected; on PostgreSQL the next test's TRUNCATE
    # would wait for it forever.
    gc.collect()


# --- what a user does -------------------------------------------------------------------------


def click_and_wait(page, target) -> None:
    """Click something that loads a new page (a link or a form button) and wait for it."""
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation(wait_until="load"):
        locator.click()


def sign_in(site: Site, email: str, password: str) -> None:
    page = site.page
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    click_and_wait(page, "main form button[type=submit]")
    assert "/auth/login" not in site.path(), page.locator("main").inner_text()


def sign_out(site: Site) -> None:
    click_and_wait(site.page, "header form[action$='/auth/logout'] button")


def register(site: Site, data: dict[str, str]) -> None:
    """Fill the registration form field by field, as a user would, and send it."""
    page = site.page
    page.goto("/")
    click_and_wait(page, "main a[href$='/auth/register']")
    for name in ("uscc", "name"):
        page.fill(f"#{name}", data[name])
    page.select_option("#town", data["town"])
    page.select_option("#industry", data["industry"])
    for name in ("employees", "revenue_wan", "contact_name", "contact_phone", "email"):
        page.fill(f"#{name}", data[name])
    page.fill("#password", data["password"])
    page.fill("#password2", data["password2"])
    click_and_wait(page, "main form button[type=submit]")


def start_questionnaire(site: Site, questionnaire_id: str) -> None:
    """From "My assessments", start (or continue) a questionnaire."""
    page = site.page
    if not site.path().startswith("/my"):
        page.goto("/my")
    click_and_wait(page, f"main form[action$='/my/start/{questionnaire_id}'] button")


PAGE_RE = re.compile(r"/a/([^/]+)/page/(\d+)")


def page_index(site: Site) -> int:
    match = PAGE_RE.search(site.path())
    assert match, f"not on a survey page: {site.path()}"
    return int(match.group(2))


def fallback_answer(q: Question) -> Any:
    """An answer for a visible question that the typical answers left out (a conditional question
    whose condition is not met on this page yet): the first choice or the smallest number."""
    if q.type in ("single", "ladder"):
        return q.choices[0].value
    if q.type == "multi":
        return [next(c.value for c in q.choices if not c.exclusive)]
    if q.type in ("number", "figure"):
        return q.min
    return None


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value)


def answer_visible_questions(site: Site, questionnaire: Questionnaire, answers: dict) -> dict:
    """Answer every question shown on the current survey page by clicking and typing.

    Returns the answers given, by question id."""
    page = site.page
    ids = page.eval_on_selector_all(
        "form.survey-form .question[id^='q-']", "els => els.map(e => e.id.slice(2))"
    )
    assert ids or page.locator(".notice-info").count(), "a survey page without questions"
    # Shares computed from counts (lianghua 2025.2): nothing to type for the share, and a count
    # that divides needs machines to divide by.
    derived = {q.id: q.extra["derive"] for q in questionnaire.questions if q.extra.get("derive")}
    divisors = {d for derivation in derived.values() for d in derivation.denominators}
    given = {}
    for qid in ids:
        q = questionnaire.question(qid)
        assert q is not None, f"unknown question {qid} on the page"
        if qid in derived:
            continue
        value = answers.get(qid)
        if value is None:
            value = 100 if qid in divisors else fallback_answer(q)
        if value is None:
            continue
        scope = page.locator(f"[id='q-{qid}']")
        if q.type in ("single", "ladder"):
            scope.locator(f"input[type=radio][value='{value}']").check()
        elif q.type == "multi":
            for choice in [NA] if value == NA else value:
                scope.locator(f"input[type=checkbox][value='{choice}']").check()
        elif q.type in ("number", "figure"):
            if value == NA:
                scope.locator(f"input[name='na_{qid}']").check()
            else:
                scope.locator(f"input[name='q_{qid}']").fill(_number_text(value))
        else:
            scope.locator("textarea").fill(str(value))
        given[qid] = value
    return given


def save_and_continue(site: Site) -> None:
    """Press the primary button of a survey page (save and continue / save and review)."""
    page = site.page
    click_and_wait(page, "form.survey-form .form-actions button.button-primary")
    errors = page.locator(".field-error")
    assert errors.count() == 0, f"answers refused on {site.path()}: {errors.all_inner_texts()}"


def answer_pages(site: Site, questionnaire: Questionnaire, answers: dict, count: int) -> None:
    """Answer `count` pages in a row, starting with the one shown."""
    for _ in range(count):
        index = page_index(site)
        answer_visible_questions(site, questionnaire, answers)
        save_and_continue(site)
        if index + 1 < len(questionnaire.pages):
            assert page_index(site) == index + 1, site.path()


def assert_no_connection_left(site: Site, after: str) -> None:
    """Every request gave its database connection back (a leaked one stays idle in transaction and
    blocks TRUNCATE/ALTER on PostgreSQL until the garbage collector happens to free it)."""
    pool = site.app.extensions["database"].engine.pool
    deadline = time.monotonic() + 3
    while pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)  # the response may still be finishing on the server thread
    assert pool.checkedout() == 0, (
        f"{after} left {pool.checkedout()} database connection(s) checked out, idle in "
        "transaction: a session used after teardown_appcontext removed it (a streamed response?)"
    )


def serious_violations(site: Site, name: str) -> list[str]:
    """axe-core on the current page: the serious and critical violations, readable."""
    results = Axe().run(site.page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in ("serious", "critical"):
            continue
        nodes = "; ".join(
            f"{' '.join(map(str, node.get('target', [])))} → {node.get('html', '')[:160]}"
            for node in violation.get("nodes", [])[:8]
        )
        found.append(
            f"[{name}] {violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
            f"{violation.get('help', '')} :: {nodes}"
        )
    return found
