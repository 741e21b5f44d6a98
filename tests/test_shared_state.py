"""Where the rate-limit counters live (web/shared_state.py): RATELIMIT_STORAGE_URI, else REDIS_URL,
else each process's memory; a Redis that is down does not stop anyone from signing in.
Counting across two real nodes: tests/test_two_nodes.py."""

from __future__ import annotations

import logging

from flask import Flask

from assessment.web.shared_state import configure_rate_limit_storage
from tests.helpers import PASSWORD, register

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
