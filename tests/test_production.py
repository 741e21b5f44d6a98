"""Production path: migrations agree with the models; SQLite under concurrent submits; settings
for serving behind a proxy over HTTPS."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from assessment.core.cohorts import TOTAL
from assessment.core.uscc import make_uscc
from assessment.services.migrate import MIGRATIONS_DIR
from assessment.services.models import Assessment, Base, DimensionScore, ScoreBin, StageCount
from assessment.web.app import create_app
from assessment.web.config import DEFAULT_SECRET_KEY
from assessment.web.hardening import JsonFormatter

from .conftest import app_session
from .helpers import lock_version, page_form, register, typical_answers


def test_the_migrated_schema_matches_the_models(database_url):
    """An empty database upgraded to head has no pending autogenerate diff (SQLite and PostgreSQL)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_init_db_on_an_empty_database_reaches_head(tmp_path, make_app):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    heads = sorted(p.name.split("_")[0] for p in (MIGRATIONS_DIR / "versions").glob("0*.py"))
    assert f"revision {heads[-1]}" in result.output


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite-only settings")
    with app.extensions["database"].engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_many_threads_submitting_at_once_lose_nothing(app, registry):
    """12 enterprises fill and submit in parallel threads: no 'database is locked', no lost rows."""
    questionnaire = registry.get("cloud")
    answers = typical_answers(questionnaire)
    clients = []
    for n in range(12):
        client = app.test_client()
        response = register(
            client, uscc=make_uscc("330282", f"MC{n:06d}"), email=f"c{n}@example.com"
        )
        assert response.status_code == 302
        clients.append(client)
    errors: list[str] = []

    def fill_and_submit(client):
        try:
            url = client.post("/my/start/cloud").headers["Location"]
            base = url.rsplit("/", 1)[0]
            for index in range(len(questionnaire.pages)):
                page_url = f"{base}/{index}"
                lock = lock_version(client.get(page_url).text)
                response = client.post(
                    page_url, data=page_form(questionnaire, index, answers, lock=lock)
                )
                if response.status_code != 302:
                    errors.append(f"save {index}: {response.status_code}")
                    return
            response = client.post(base.rsplit("/page", 1)[0] + "/review")
            if response.status_code != 302 or not response.headers["Location"].endswith("/result"):
                errors.append(f"submit: {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=fill_and_submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with app_session(app) as s:
        submitted = s.scalar(
            select(func.count(Assessment.id)).where(
                Assessment.status == "submitted", Assessment.is_latest.is_(True)
            )
        )
        assert submitted == 12
        assert s.scalar(select(func.count()).select_from(DimensionScore)) == 12 * 5
        # The cohorts' score histograms counted every submit once (no lost update, no deadlock).
        city = (ScoreBin.cohort == "city", ScoreBin.metric == TOTAL)
        assert s.scalar(select(func.sum(ScoreBin.n)).where(*city)) == 12
        assert s.scalar(select(func.sum(StageCount.n)).where(StageCount.cohort == "city")) == 12


def test_production_refuses_the_default_secret_key(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            {"PRODUCTION": True, "SECRET_KEY": DEFAULT_SECRET_KEY, "DATABASE_URL": database_url}
        )


def test_production_cookies_are_secure_and_proxy_headers_are_trusted(make_app):
    app = make_app(PRODUCTION=True, SECRET_KEY="a-real-secret", PROXY_FIX=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = app.test_client()
    response = client.get(
        "/auth/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_structured_request_log_lines(make_app, caplog):
    app = make_app(LOG_REQUESTS=True)
    with caplog.at_level(logging.INFO, logger="assessment.access"):
        app.test_client().get("/healthz")
    record = next(r for r in caplog.records if r.name == "assessment.access")
    assert record.fields["path"] == "/healthz" and record.fields["status"] == 200
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["ms"] >= 0


def test_healthz_says_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
