"""What several app nodes must share: the rate-limit counters and uploads waiting for a second step.

Everything else a request depends on is already shared: the session is a cookie signed with
`SECRET_KEY` (the same key on every node) whose `id:session_version` is checked against the
database on each request (`web/auth/session.py`), and cached figures are keyed on generations
read from the database (`services/cache.py`). Flask-Limiter's counters are the exception: with
`memory://` each worker process counts alone, so N workers on M machines would allow N × M times
every limit. `REDIS_URL` (the Redis the deployment already runs) moves them to Redis unless
`RATELIMIT_STORAGE_URI` names a storage itself (`memory://` included: the tests pin it). The
same Redis keeps target-list uploads between their preview and their commit
(`services/pending_redis.py`), which would otherwise wait in one node's instance folder.
"""

from __future__ import annotations

import redis
from flask import Flask

MEMORY = "memory://"


def configure_rate_limit_storage(app: Flask) -> None:
    """Point Flask-Limiter at `RATELIMIT_STORAGE_URI` when it is set, else at `REDIS_URL`, else
    at each process's memory (a laptop; production is warned)."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or MEMORY
    app.config["RATELIMIT_STORAGE_URI"] = storage
    if storage.startswith(("redis://", "rediss://", "redis+")):
        # A Redis that hangs must not hang sign-ins; while it is down, each process counts
        # alone (Flask-Limiter's in-memory fallback) rather than answering 500.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2}
        )
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if storage == MEMORY and app.config.get("PRODUCTION"):
        app.logger.warning(
            "Rate limits are counted in each worker's memory: set REDIS_URL (or "
            "RATELIMIT_STORAGE_URI) so that every worker and node shares them."
        )


def redis_client(app: Flask) -> redis.Redis | None:
    """The app's client of `REDIS_URL` (made once; it pools connections), or None without one."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    if "redis" not in app.extensions:
        app.extensions["redis"] = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5
        )
    return app.extensions["redis"]
