"""Fixtures: a fresh database per test (SQLite by default; PostgreSQL with TEST_DATABASE_URL).

Plain fixtures as in Flask's tutorial (flaskr): `app` (built by `make_app`), `client` =
`app.test_client()`, `runner` = `app.test_cli_runner()`. Nothing is pushed around a test: each
request runs in its own app and request context, as in production. Database access from a test goes
through `session` (tests that send no request) or `with app_session(app) as s:` (tests that do).

SQLite: the schema is migrated once into a template file, then copied per test (fast, and the
test schema is exactly what Alembic builds). PostgreSQL: migrated once, every table truncated
between tests.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from assessment.services.migrate import upgrade
from assessment.services.models import Base
from assessment.web.app import create_app
from assessment.web.extensions import db
from tests.job_helpers import JobWorker
from tests.mail_sink import MailSink

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str | None]:
    """This test process's PostgreSQL database: TEST_DATABASE_URL, or, when pytest-xdist runs
    the suite in several processes, one database per worker beside it (created here, dropped at
    the end), so that workers never truncate each other's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not TEST_DATABASE_URL or not worker:
        yield TEST_DATABASE_URL
        return
    url = make_url(TEST_DATABASE_URL)
    url = url.set(database=f"{url.database}_{worker}")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    with server.connect() as connection:
        connection.execute(drop)
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(drop)
    server.dispose()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory, _pg_url) -> str | None:
    if _pg_url:
        engine = create_engine(_pg_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return None
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(_template_db, _pg_url, tmp_path) -> str:
    """A database with the migrated schema and no rows."""
    if _pg_url:
        _truncate_all(_pg_url)
        return _pg_url
    target = tmp_path / "test.sqlite3"
    shutil.copy(_template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_sink(_smtp_server) -> MailSink:
    """The real SMTP server every test app sends to, emptied for this test."""
    _smtp_server.clear()
    return _smtp_server


@pytest.fixture
def app_config(database_url, tmp_path, _smtp_server) -> dict:
    """Test settings; tests may change them before `app` is built. Mail goes through SMTP to a
    real server on loopback (`mail_sink`)."""
    return {
        "TESTING": True,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": _smtp_server.port,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Each test app counts alone, even where REDIS_URL is set (tests/test_two_nodes.py
        # shares counters through Redis on purpose).
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own.

    Flask runs a request inside an app context the test has pushed for the same app (`with
    app.app_context()`, the `session` fixture) instead of pushing its own: the request would share
    the test's `g` (the signed-in user, the cached locale) and database session, and its teardown
    would not run. Such a request fails here instead of passing for the wrong reason."""

    def open(self, *args, **kwargs):
        if has_app_context() and current_app._get_current_object() is self.application:
            raise RuntimeError(
                "a request sent inside an app context the test pushed: end the `with "
                "app_session(app)` block first (or use `app_session` instead of `session`)"
            )
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(app_config, tmp_path, monkeypatch):
    """Build an app with settings changed from the test defaults (for tests needing other settings
    than `app` has, or more than one app)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    built = []

    def factory(**overrides):
        application = create_app({**app_config, **overrides})
        application.test_client_class = IsolatedClient
        built.append(application)
        return application

    yield factory
    for application in built:
        state = application.extensions["database"]
        state.session.remove()
        state.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def job_worker(app) -> Iterator[JobWorker]:
    """A real consumer of the app's job queue (threads of this process), stopped at the end."""
    worker = JobWorker(app)
    yield worker
    worker.stop()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def registry(app):
    return app.extensions["questionnaires"]


@pytest.fixture
def session(app) -> Iterator[Session]:
    """The app's database session, inside an app context held for the whole test: for tests that
    send no request (a request inside it is refused, see `IsolatedClient`)."""
    with app.app_context():
        yield db.session


@contextmanager
def app_session(app: Flask) -> Iterator[Session]:
    """`with app_session(app) as s:` the app's database session in a short app context of its own,
    for tests that also send requests: they go between the blocks, each in its own context, and
    every block starts with a fresh session (nothing stale from before the requests)."""
    with app.app_context():
        yield db.session


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str | None:
    """The CSRF token in a rendered page."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else None


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs():
    """Compile the Babel catalogs when a .mo is missing or older than its .po (as `make` does);
    written aside and renamed, so parallel test processes never read a half-written file."""
    for po in (PROJECT_DIR / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            partial = mo.with_suffix(f".mo.{os.getpid()}")
            with partial.open("wb") as target:
                write_mo(target, catalog)
            os.replace(partial, mo)
