"""Real app nodes for tests: gunicorn processes on loopback ports, a PostgreSQL database made for
them and a Redis key prefix, each cleaned up however the test ends. Every wait is bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

PROJECT_DIR = Path(__file__).resolve().parent.parent
START_SECONDS = 90  # a node loads every questionnaire; the CI machine may be busy
STOP_SECONDS = 15
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _node_env(extra: dict[str, str]) -> dict[str, str]:
    # The settings of the test run itself (TEST_DATABASE_URL …) stay; the app's come from `extra`.
    env = {k: v for k, v in os.environ.items() if k not in ("RATELIMIT_STORAGE_URI", "BIND")}
    return {**env, **extra}


def start_flask(env: dict[str, str], *args: str) -> subprocess.Popen:
    """Start one `flask --app app …` command the way an operator would (output captured)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_DIR,
        env=_node_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_flask(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run one `flask --app app …` command to its end; its output."""
    process = start_flask(env, *args)
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        process.kill()
    assert process.returncode == 0, output
    return output


class Node:
    """One gunicorn instance (gunicorn.conf.py) serving the app on 127.0.0.1:`port`."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_dir: Path):
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self._bind = f"127.0.0.1:{port}"
        self._env = _node_env({**env, "BIND": self._bind})
        self._log = log_dir / f"node-{name}.log"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start gunicorn in its own process group (so stopping it reaches its workers)."""
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                 "--bind", self._bind, "app:app"],
                cwd=PROJECT_DIR,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self) -> None:
        """Until /healthz answers 200; fails with the node's log when it does not in time."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"node {self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        pytest.fail(f"node {self.name} not ready in {START_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the node's process group, SIGKILL if it is still there after a while."""
        if self._process is None or self._process.poll() is not None:
            return
        group = os.getpgid(self._process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self._process.wait(timeout=STOP_SECONDS)

    def log_tail(self, lines: int = 40) -> str:
        """The end of what the node printed."""
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])


def _postgres_server() -> str:
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        return make_url(test_url).set(database="postgres").render_as_string(hide_password=False)
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)


@contextmanager
def postgres_database(name: str) -> Iterator[tuple[str, Engine]]:
    """A new, empty PostgreSQL database (skips the test when the server does not answer):
    its URL and an engine on it; dropped at the end."""
    server = create_engine(
        _postgres_server(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        server.dispose()
        pytest.skip(f"PostgreSQL not reachable at {server.url!r} ({error.__class__.__name__})")
    url = server.url.set(database=name)
    engine = create_engine(url)
    try:
        yield url.render_as_string(hide_password=False), engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def redis_or_skip(prefix: str) -> tuple[str, str, Callable[[], None]]:
    """The Redis URL (TEST_REDIS_URL or db 0 on loopback), `prefix` for keys, and a function
    deleting every key carrying it; skips the test when Redis does not answer."""
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {url} ({error.__class__.__name__})")

    def forget() -> None:
        for key in client.scan_iter(match=f"*{prefix}*", count=500):
            client.delete(key)

    return url, prefix, forget
