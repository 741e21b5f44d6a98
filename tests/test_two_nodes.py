"""Two app nodes behind one (imagined) load balancer: real gunicorn processes on loopback, one
PostgreSQL database created here, one Redis (README, "Running several app nodes").

A browser's requests go to either node. What one node writes, the other shows at once — result
pages, the dashboard and the enterprise list, although node B has them cached from before (the
generation in the database, services/cache.py); a session started on one node works on the other
and ends on both when the user signs out or changes the password (web/auth/session.py); a rate
limit counts the requests of both nodes together (web/shared_state.py: REDIS_URL).

Runs in both CI passes: it creates its own PostgreSQL database whatever TEST_DATABASE_URL is, and
is skipped, saying why, when PostgreSQL or Redis does not answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assessment.core.questionnaire import Registry
from assessment.core.scoring import score
from assessment.services import api_tokens
from assessment.services.accounts import create_account
from assessment.services.migrate import alembic_config, current_revision
from assessment.services.models import User, utcnow
from tests import factories as f
from tests.conftest import csrf_from
from tests.helpers import PASSWORD, USCC_B, lock_version, page_form, registration, typical_answers
from tests.nodes import (
    Node,
    free_port,
    postgres_database,
    redis_or_skip,
    run_flask,
    start_flask,
)

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parent.parent
TIMEOUT = 20  # seconds for any one request
LOGIN_LIMIT = 20  # per hour: a fixed window opened by the first attempt, so it never resets here
API_LIMIT = 12  # per hour and token
BUREAU = "analyst@jxj.example"
PEERS = (10, 20, 30, 40, 50, 60)  # latest totals of six appliance makers in Zhouxiang


@dataclass
class Cluster:
    a: Node
    b: Node
    engine: Engine
    peer_ids: list[str]
    forget_limits: Callable[[], None]  # every rate-limit counter of the nodes, gone


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Nodes A and B (one gunicorn worker each, so B's cache is the one warmed), migrated once,
    with six peers and a bureau account; both killed and the database dropped at the end."""
    redis_url, prefix, forget_keys = redis_or_skip(f"two-nodes-{secrets.token_hex(4)}")
    tmp_path = tmp_path_factory.mktemp("two_nodes")
    with postgres_database(f"two_nodes_{secrets.token_hex(4)}") as (database_url, engine):
        instance = tmp_path / "instance"
        instance.mkdir()
        (instance / "config.py").write_text(
            f"RATELIMIT_KEY_PREFIX = {prefix!r}\n"
            f"RATELIMIT_LOGIN = '{LOGIN_LIMIT} per hour'\n"
            f"RATELIMIT_API = '{API_LIMIT} per hour'\n"
            "MAIL_BACKEND = 'file'\n",
            encoding="utf-8",
        )
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_hex(16),  # one key for both nodes, as in production
            "INSTANCE_PATH": str(instance),
            "RATELIMIT_ENABLED": "1",
            "MAIL_BACKEND": "file",
            "PRODUCTION": "0",
            "DEMO_MODE": "0",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            "LOG_REQUESTS": "0",
        }
        run_flask(env, "init-db")  # the one migration runner, before any node starts
        peer_ids = _seed(engine)
        nodes = [Node(name, free_port(), env, tmp_path) for name in ("a", "b")]
        try:
            for node in nodes:
                node.start()
            for node in nodes:
                node.wait_ready()
            yield Cluster(nodes[0], nodes[1], engine, peer_ids, forget_keys)
        finally:
            for node in nodes:
                node.stop()
            forget_keys()


def _seed(engine) -> list[str]:
    """Six submitted peers in the cohort the registration below falls in, and a bureau account;
    returns the peers' assessment public ids."""
    questionnaire = Registry.from_directory(PROJECT_DIR / "questionnaires").get("lianghua")
    with Session(engine) as s:
        made = [
            f.submitted(
                s,
                f.enterprise(s, "appliances", "zhouxiang", "small"),
                total,
                {d.id: total for d in questionnaire.dimensions},
                version=questionnaire.version,
            )
            for total in PEERS
        ]
        s.commit()
        create_account(s, BUREAU, PASSWORD, "bureau")
        return [a.public_id for a in made]


def _get(browser: requests.Session, node: Node, path: str) -> requests.Response:
    return browser.get(node.url + path, allow_redirects=False, timeout=TIMEOUT)


def _post(browser, node: Node, path: str, data: dict, token_from: str) -> requests.Response:
    """Post a form with the CSRF token of a page (maybe rendered by the other node)."""
    token = csrf_from(token_from)
    assert token, "the page has no CSRF token"
    return browser.post(
        node.url + path, data={**data, "csrf_token": token}, allow_redirects=False, timeout=TIMEOUT
    )


def _sign_in(node_form: Node, node_post: Node, email: str) -> requests.Session:
    browser = requests.Session()
    form = _get(browser, node_form, "/auth/login").text
    response = _post(
        browser, node_post, "/auth/login", {"email": email, "password": PASSWORD}, form
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def _city_peers(page: str) -> int:
    """How many enterprises the result page compares with in all of Cixi."""
    match = re.search(r'id="peer-city">.*?<td class="num">(\d+)</td>', page, re.S)
    assert match, "the result page has no city comparison"
    return int(match.group(1))


def _participants(page: str) -> int:
    return int(re.search(r'id="kpi-participants">(\d+)<', page).group(1))


def test_a_submit_on_one_node_shows_at_once_on_the_other(cluster):
    a, b, peer_ids = cluster.a, cluster.b, cluster.peer_ids
    bureau = _sign_in(a, b, BUREAU)  # the form from A, posted to B: one secret key, one session
    # B warms its cache: the dashboard, the list and a peer's result page.
    assert _participants(_get(bureau, b, "/bureau/").text) == len(PEERS)
    name = registration()["name"]
    assert name not in _get(bureau, b, "/bureau/enterprises").text
    peer_result = f"/a/{peer_ids[0]}/result"
    assert _city_peers(_get(bureau, b, peer_result).text) == len(PEERS)

    browser = requests.Session()
    form = _get(browser, a, "/auth/register").text
    assert _post(browser, a, "/auth/register", registration(), form).status_code == 302
    with Session(cluster.engine) as s:  # as if the mailed link had been followed
        s.scalar(
            select(User).where(User.email == registration()["email"])
        ).email_verified_at = utcnow()
        s.commit()
    questionnaire = Registry.from_directory(PROJECT_DIR / "questionnaires").get("lianghua")
    answers = typical_answers(questionnaire)
    result = _fill_and_submit(browser, (a, b), questionnaire, answers)

    # B shows it at once: the new result, and everything it cached before the submit.
    mine = _get(browser, b, result)
    assert mine.status_code == 200 and f"{score(questionnaire, answers).total:.1f}" in mine.text
    assert _participants(_get(bureau, b, "/bureau/").text) == len(PEERS) + 1
    assert name in _get(bureau, b, "/bureau/enterprises").text
    assert _city_peers(_get(bureau, b, peer_result).text) == len(PEERS) + 1


def _fill_and_submit(browser, nodes, questionnaire, answers) -> str:
    """Every page fetched from one node and posted to the other, in turn; the submit on A.
    Returns the result page's path."""
    home = _get(browser, nodes[1], "/my")
    assert home.status_code == 200  # the session made on A, used on B
    started = _post(browser, nodes[0], "/my/start/lianghua", {}, home.text)
    assert started.status_code == 302, started.status_code
    base = started.headers["Location"].rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        shown, posted = nodes[index % 2], nodes[(index + 1) % 2]
        page = _get(browser, shown, f"{base}/{index}").text
        data = page_form(questionnaire, index, answers, lock=lock_version(page))
        saved = _post(browser, posted, f"{base}/{index}", data, page)
        assert saved.status_code == 302, saved.text[:1000]
    review = saved.headers["Location"]
    assert review.endswith("/review")
    submitted = _post(browser, nodes[0], review, {}, _get(browser, nodes[1], review).text)
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")
    return submitted.headers["Location"]


def test_sessions_hold_across_nodes_and_end_on_both(cluster):
    a, b = cluster.a, cluster.b
    cluster.forget_limits()  # this test signs in a few times
    email = "owner@b.example"
    registered = requests.Session()
    form = _get(registered, a, "/auth/register").text
    other = registration(uscc=USCC_B, name="慈溪市另一家电器有限公司", email=email)
    assert _post(registered, a, "/auth/register", other, form).status_code == 302

    # Signed in on A, used on B; signing out on A ends the copy of the cookie B would be sent.
    before = registered.cookies.get("session")
    page = _get(registered, b, "/my")
    assert page.status_code == 200
    assert _post(registered, a, "/auth/logout", {}, page.text).status_code == 302
    replayed = requests.Session()
    replayed.cookies.set("session", before)
    refused = _get(replayed, b, "/my")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]

    # Two devices; the password changed on A through one ends the other's session on B.
    laptop, phone = _sign_in(a, a, email), _sign_in(b, b, email)
    assert _get(phone, b, "/my").status_code == 200
    form = _get(laptop, a, "/account/password").text
    new = "Another-Factory-2026"
    change = {"current_password": PASSWORD, "password": new, "password2": new}
    assert _post(laptop, a, "/account/password", change, form).status_code == 302
    refused = _get(phone, b, "/my")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
    assert _get(laptop, b, "/my").status_code == 200  # the device that changed it stays in


def _alternate_until_refused(cluster, send, limit: int) -> None:
    """Requests to A and B in turn until one is refused (429): each node alone served half the
    limit, and the remaining budget the nodes report counted down as one."""
    cluster.forget_limits()  # a budget untouched by the other tests
    served = {"a": 0, "b": 0}
    remaining = []
    for attempt in range(2 * limit):
        node = (cluster.a, cluster.b)[attempt % 2]
        response = send(node)
        if response.status_code == 429:
            break
        assert response.status_code == 200, response.status_code
        served[node.name] += 1
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    else:
        pytest.fail(f"no 429 after {2 * limit} requests split over A and B: {served}")
    cluster.forget_limits()
    assert served == {"a": limit // 2, "b": limit // 2}
    assert remaining == list(range(limit - 1, -1, -1))


def test_a_rate_limit_counts_both_nodes_together(cluster):
    attacker = requests.Session()
    form = _get(attacker, cluster.a, "/auth/login").text
    wrong = {"email": "nobody@example.com", "password": "not-the-password"}
    _alternate_until_refused(
        cluster, lambda node: _post(attacker, node, "/auth/login", wrong, form), LOGIN_LIMIT
    )


def test_an_api_tokens_limit_counts_both_nodes_together(cluster):
    with Session(cluster.engine) as s:
        bureau = s.scalar(select(User).where(User.email == BUREAU))
        secret = api_tokens.create(s, bureau, "nodes", [api_tokens.BUREAU_READ], 30).secret
    headers = {"Authorization": f"Bearer {secret}"}
    _alternate_until_refused(
        cluster,
        lambda node: requests.get(
            node.url + "/api/v1/bureau/dashboard?questionnaire=lianghua",
            headers=headers,
            timeout=TIMEOUT,
        ),
        API_LIMIT,
    )


def test_two_migration_runners_started_together_both_succeed(tmp_path):
    """`make serve` on two nodes at once: the second `init-db` waits for the first (an advisory
    lock, services/migrate.py) and finds nothing left to do, instead of failing on half-made
    tables."""
    with postgres_database(f"two_runners_{secrets.token_hex(4)}") as (url, engine):
        env = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)}
        runners = [start_flask(env, "init-db") for _ in range(2)]
        try:
            outputs = [runner.communicate(timeout=300) for runner in runners]
        finally:
            for runner in runners:
                runner.kill()
        assert [runner.returncode for runner in runners] == [0, 0], outputs
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert current_revision(engine) == head
