"""Where the rate-limit counters live (web/shared_state.py): RATELIMIT_STORAGE_URI, else REDIS_URL,
else each process's memory; a Redis that is down does not stop anyone from signing in.
Counting across two real nodes: tests/test_two_nodes.py."""

from __future__ import annotations

import logging
import re

from flask import Flask

from assessment.web.shared_state import configure_rate_limit_storage
from tests.campaign_fixtures import (
    HEADER,
    bureau_client,
    code,
    make_campaign,
    row,
    targets,
    upload,
    xlsx,
)
from tests.helpers import PASSWORD, register
from tests.job_helpers import consuming
from tests.nodes import redis_or_skip

UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


def _storage(**settings) -> str:
    app = Flask("nodes")
    app.config.update(settings)
    configure_rate_limit_storage(app)
    return app.config["RATELIMIT_STORAGE_URI"]


def test_redis_url_holds_the_counters_unless_a_storage_is_named():
    redis_url = "redis://127.0.0.1:6379/4"
    assert _storage(RATELIMIT_STORAGE_URI=None, REDIS_URL=redis_url) == redis_url
    assert _storage(RATELIMIT_STORAGE_URI="memory://", REDIS_URL=redis_url) == "memory://"
    assert _storage(RATELIMIT_STORAGE_URI=None, REDIS_URL=None) == "memory://"


def test_production_counting_in_memory_is_warned(caplog):
    with caplog.at_level(logging.WARNING):
        _storage(RATELIMIT_STORAGE_URI=None, PRODUCTION=True)
    assert "Rate limits are counted in each worker's memory" in caplog.text


def test_a_redis_that_is_down_does_not_stop_sign_in(make_app):
    app = make_app(RATELIMIT_STORAGE_URI=None, REDIS_URL=UNREACHABLE, RATELIMIT_ENABLED=True)
    client = app.test_client()
    register(client)
    client.post("/auth/logout")
    signed_in = client.post("/auth/login", data={"email": "a@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302


def _commit_and_run(client, url: str) -> None:
    """Commit a previewed upload and let a real consumer run the import job it queues."""
    committed = client.post(url)
    assert committed.status_code == 302 and "/bureau/jobs/" in committed.headers["Location"]
    with consuming(client.application) as worker:
        worker.wait(committed.headers["Location"].rsplit("/", 1)[1])


def test_an_upload_previewed_on_one_node_is_committed_on_another(make_app, tmp_path, monkeypatch):
    """A target list uploaded to node A waits in Redis (services/pending_redis.py): node B, with
    an instance folder of its own, shows its preview and commits it."""
    redis_url, _prefix, _forget = redis_or_skip("pending-upload")
    node_a = make_app(REDIS_URL=redis_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance-b"))
    node_b = make_app(REDIS_URL=redis_url)
    assert node_a.instance_path != node_b.instance_path
    on_a, public_id = bureau_client(node_a), make_campaign(node_a)
    on_b = node_b.test_client()
    on_b.set_cookie("session", on_a.get_cookie("session").value)  # the load balancer's choice

    url = upload(on_a, public_id, xlsx([HEADER, row(1), row(2)])).headers["Location"]
    preview = on_b.get(url)
    assert preview.status_code == 200 and re.search(r'id="count-create">2<', preview.text)
    _commit_and_run(on_b, url)
    assert [t.uscc for t in targets(node_b, public_id)] == sorted([code(1), code(2)])
    assert on_a.get(url).status_code == 302  # committed once: gone for every node


def test_an_upload_still_works_on_one_node_while_redis_is_down(make_app):
    app = make_app(REDIS_URL=UNREACHABLE)
    client, public_id = bureau_client(app), make_campaign(app)
    url = upload(client, public_id, xlsx([HEADER, row(1)])).headers["Location"]
    assert client.get(url).status_code == 200
    _commit_and_run(client, url)
    assert len(targets(app, public_id)) == 1
