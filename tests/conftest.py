"""Fixtures: a fresh database per test (SQLite by default; PostgreSQL with TEST_DATABASE_URL).

SQLite: the schema is migrated once into a template file, then copied per test (fast, and the
test schema is exactly what Alembic builds). PostgreSQL: migrated once, every table truncated
between tests.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assessment.services.migrate import upgrade
from assessment.services.models import Base
from assessment.web.app import create_app
from assessment.web.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory) -> str | None:
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
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
def database_url(_template_db, tmp_path) -> str:
    """A database with the migrated schema and no rows."""
    if TEST_DATABASE_URL:
        _truncate_all(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    target = tmp_path / "test.sqlite3"
    shutil.copy(_template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Test settings; tests may change them before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


@pytest.fixture
def make_app(app_config, tmp_path, monkeypatch):
    """Build an app with settings changed from the test defaults (pytest-flask builds `app` before
    any other fixture could change `app_config`, so tests needing other settings use this)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    built = []

    def factory(**overrides):
        application = create_app({**app_config, **overrides})
        built.append(application)
        return application

    yield factory
    for application in built:
        state = application.extensions["database"]
        state.session.remove()
        state.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture(autouse=True)
def _push_request_context():
    """pytest-flask pushes a request context per test, which leaks `g` and Babel's cached locale
    between client requests; we do not want that."""
    yield


@pytest.fixture
def registry(app):
    return app.extensions["questionnaires"]


@pytest.fixture
def session(app):
    """The app's database session, inside an app context."""
    with app.app_context():
        yield db.session


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str | None:
    """The CSRF token in a rendered page."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else None


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs():
    """Compile the Babel catalogs when a .mo is missing or older than its .po (as `make` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (PROJECT_DIR / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)
