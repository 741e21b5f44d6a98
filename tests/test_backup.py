"""Backups (issue 6): a portable dump that restores every row, on SQLite and PostgreSQL.

Real databases throughout: the source is the suite's database (SQLite, or PostgreSQL with
TEST_DATABASE_URL) or a scratch SQLite file; PostgreSQL round trips use a throwaway database.
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from assessment.core.uscc import make_uscc
from assessment.services import audit, backup
from assessment.services.database import create_engine_for
from assessment.services.demo import seed_demo
from assessment.services.migrate import upgrade
from assessment.services.models import (
    ApiToken,
    Assessment,
    Campaign,
    CampaignReminder,
    CampaignTarget,
    IdempotentRequest,
    Invitation,
    Job,
    ProviderGrant,
    RecoveryCode,
    User,
)

from .conftest import app_session
from .helpers import login, register, save_page, start, typical_answers

EMAIL = "restored@example.com"
ENTERPRISE_NAME = "慈溪市备份测试电器有限公司"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def engine_of(app) -> Engine:
    return app.extensions["database"].engine


def sqlite_app(make_app, path: Path):
    """An app on a new SQLite file migrated to head (and nothing else)."""
    app = make_app(DATABASE_URL=f"sqlite:///{path}")
    upgrade(engine_of(app))
    return app


def populate(app, enterprises: int = 30) -> str:
    """Demo enterprises, a registered user with a submitted and a draft assessment, an audit
    event and an export job; returns the URL of the user's result page."""
    seeded = app.test_cli_runner().invoke(args=["seed-demo", "--enterprises", str(enterprises)])
    assert seeded.exit_code == 0, seeded.output
    client = app.test_client()
    assert register(client, email=EMAIL, name=ENTERPRISE_NAME).status_code == 302
    questionnaire = app.extensions["questionnaires"].get("lianghua")
    answers = typical_answers(questionnaire)
    base = start(client, questionnaire.id).rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        assert (
            save_page(client, f"{base}/{index}", questionnaire, index, answers).status_code == 302
        )
    submitted = client.post(f"{base.rsplit('/page', 1)[0]}/review")
    assert submitted.status_code == 302
    start(client, "cloud")  # a draft
    with app_session(app) as s:
        user = s.scalar(select(User).where(User.email == EMAIL))
        audit.record(
            s, user, audit.VIEW_RESULT, "assessment", "x1",
            details={"lang": "zh", "备注": ["导出", 2.5, None]}, ip="127.0.0.1",
        )  # fmt: skip
        s.add(
            Job(kind="batch_reports", params={"filters": {"industry": ["appliances"]}},
                user_id=user.id, status="done", total=3, done=3, result={"reports": 3},
                heartbeat_at=datetime(2026, 11, 1, 8, 31), finished_at=datetime(2026, 11, 1, 9))
        )  # fmt: skip
        _account_and_campaign_rows(s, user)
        s.commit()
    return submitted.headers["Location"]


def _account_and_campaign_rows(s: Session, user: User) -> None:
    """One row in each table of the accounts and campaign features (dates and JSON included)."""
    when = datetime(2026, 11, 1, 8, 30)
    provider = User(email="provider@example.com", password_hash="x", role="provider",
                    organisation="宁波某数字科技有限公司")  # fmt: skip
    s.add(provider)
    s.flush()
    s.add_all([
        RecoveryCode(user_id=user.id, code_hash="h" * 64, used_at=when),
        Invitation(token_hash="t" * 64, enterprise_id=user.enterprise_id, email="c@example.com",
                   invited_by_id=user.id, expires_at=when),
        ProviderGrant(enterprise_id=user.enterprise_id, provider_id=provider.id,
                      granted_by_id=user.id, expires_at=when),
    ])  # fmt: skip
    campaign = Campaign(name="2026 规上企业评估", questionnaire_ids=["lianghua", "miit"],
                        starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))  # fmt: skip
    target = CampaignTarget(campaign=campaign, uscc=make_uscc("330282", "MA2BK001"),
                            name=ENTERPRISE_NAME, town="zhouxiang", industry="appliances",
                            invite_code="ABCD2345", enterprise_id=user.enterprise_id)  # fmt: skip
    s.add_all([campaign, target])
    s.flush()
    s.add(CampaignReminder(target_id=target.id, kind="not_started", email=EMAIL, sent_at=when))
    token = ApiToken(user_id=user.id, name="ERP", prefix="cxa_ab12", token_hash="a" * 64,
                     scopes=["read:own", "write:own"], expires_at=when, last_used_at=when)  # fmt: skip
    s.add(token)
    s.flush()
    s.add(IdempotentRequest(token_id=token.id, key="k-1", fingerprint="f" * 64, status=201,
                            body={"id": "x1", "分数": 61.5}))  # fmt: skip
    submitted = s.scalar(select(Assessment).where(Assessment.status == "submitted",
                                                  Assessment.enterprise_id == user.enterprise_id))  # fmt: skip
    submitted.campaign_id, submitted.review_status = campaign.id, "returned"
    submitted.review_flags = [{"kind": "fast", "minutes": 3}]
    submitted.reviewed_by_id, submitted.reviewed_at, submitted.review_note = user.id, when, "请核实"


@pytest.fixture
def small_backup(app, tmp_path):
    """(engine, path): a SQLite database with a few demo enterprises, and its backup made through
    the Python API (no second app needed)."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'small.sqlite3'}")
    upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, app.extensions["questionnaires"], 3, seed=7)
    path = tmp_path / "small.jsonl.gz"
    backup.dump(engine, path)
    yield engine, path
    engine.dispose()


def backup_to(app, out: Path) -> None:
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "enterprise" in result.output and "question_score" in result.output


def restore_into(app, path: Path, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["restore", str(path), *args], input=input)


def assert_same_rows(a: Engine, b: Engine) -> None:
    counts = backup.table_counts(a)
    assert counts == backup.table_counts(b)
    assert all(counts.values()), counts  # every table has rows, so every table is compared
    assert backup.differences(a, b) == []


def assert_user_sees_result(app, result_url: str) -> None:
    client = app.test_client()
    assert login(client, email=EMAIL).status_code == 302
    page = client.get(result_url)
    assert page.status_code == 200 and ENTERPRISE_NAME in page.text


def rewrite(source: Path, target: Path, header=None, row=None, keep: int | None = None) -> Path:
    """A copy of a backup with its header and rows changed, recompressed."""
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        objs = [json.loads(line) for line in lines]
    if header:
        header(objs[0])
    if row:
        for obj in objs[1:]:
            row(obj)
    objs = objs if keep is None else objs[:keep]
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objs)
    return target


def with_column_changed(source: Path, target: Path, table: str, add=None, drop=None) -> Path:
    """A copy of a backup with a column added to (or dropped from) one table."""

    def header(h):
        h["columns"][table] = [c for c in h["columns"][table] if c != drop] + ([add] if add else [])

    def row(o):
        if o["table"] == table:
            o["row"].pop(drop, None)
            o["row"].update({add: "red"} if add else {})

    return rewrite(source, target, header, row)


def test_restore_into_an_empty_database_gives_back_every_row(app, make_app, tmp_path):
    result_url = populate(app)
    out = tmp_path / "backup.jsonl.gz"
    backup_to(app, out)
    with gzip.open(out, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
    assert header["format"] == "cixi-assessment-backup" and header["format_version"] == 1
    assert header["alembic_revision"] == backup.head_revision()
    assert header["counts"] == backup.table_counts(engine_of(app))
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # password hashes inside
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    target = sqlite_app(make_app, tmp_path / "restored.sqlite3")
    restored = restore_into(target, out)
    assert restored.exit_code == 0, restored.output
    assert f"Restored {sum(header['counts'].values()):,} rows" in restored.output
    assert_same_rows(engine_of(app), engine_of(target))
    assert_user_sees_result(target, result_url)


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL database, dropped afterwards; skips when no server answers."""
    base = make_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL)
    try:
        admin = psycopg.connect(
            host=base.host or "127.0.0.1", port=base.port or 5432, user=base.username,
            password=base.password, dbname="postgres", autocommit=True, connect_timeout=3,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {base.host}:{base.port}: {exc}")
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(drivername="postgresql+psycopg", database=name).render_as_string(False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_round_trip_sqlite_to_postgresql_and_back(postgres_url, make_app, tmp_path):
    source = sqlite_app(make_app, tmp_path / "source.sqlite3")
    result_url = populate(source)
    backup_to(source, tmp_path / "from-sqlite.jsonl.gz")

    pg = make_app(DATABASE_URL=postgres_url)  # restore migrates the empty database itself
    restored = restore_into(pg, tmp_path / "from-sqlite.jsonl.gz")
    assert restored.exit_code == 0, restored.output
    assert_same_rows(engine_of(source), engine_of(pg))

    backup_to(pg, tmp_path / "from-postgresql.jsonl.gz")
    back = sqlite_app(make_app, tmp_path / "back.sqlite3")
    assert restore_into(back, tmp_path / "from-postgresql.jsonl.gz").exit_code == 0
    assert_same_rows(engine_of(source), engine_of(back))

    assert_user_sees_result(pg, result_url)
    # The sequences moved past the restored ids: new rows get fresh ids on PostgreSQL.
    client = pg.test_client()
    assert (
        register(client, email="new@example.com", uscc=make_uscc("330282", "MA2AB099")).status_code
        == 302
    )
    start(client, "cloud")
    with app_session(pg) as s:
        newest = s.scalar(select(Assessment).order_by(Assessment.id.desc()).limit(1))
        assert newest.enterprise.users[0].email == "new@example.com"


def test_a_database_with_data_is_refused_unless_replace_is_confirmed(app, make_app, tmp_path):
    populate(app, enterprises=3)
    out = tmp_path / "backup.jsonl.gz"
    backup_to(app, out)
    before = backup.table_counts(engine_of(app))
    with app_session(app) as s:  # a change made after the backup, which --replace must undo
        s.get(User, 1).email = "changed@example.com"
        s.commit()

    refused = restore_into(app, out)
    assert refused.exit_code == 1 and "the database is not empty" in refused.output
    assert "pass --replace" in refused.output and "enterprise: 4 rows" in refused.output
    declined = restore_into(app, out, "--replace", input="n\n")
    assert declined.exit_code == 1 and "Delete all" in declined.output
    with app_session(app) as s:
        assert s.get(User, 1).email == "changed@example.com"

    replaced = restore_into(app, out, "--replace", "--yes")
    assert replaced.exit_code == 0, replaced.output
    assert backup.table_counts(engine_of(app)) == before
    with app_session(app) as s:
        assert s.get(User, 1).email != "changed@example.com"


def test_corrupt_truncated_or_foreign_files_are_refused_and_nothing_is_written(
    app, small_backup, tmp_path
):
    _, good = small_backup
    data = good.read_bytes()
    with gzip.open(good) as lines_of_good:
        lines = sum(1 for _ in lines_of_good)
    cases = {
        "plain.txt": (b"hello, not a backup\n", "not a gzip file"),
        "truncated.gz": (data[: len(data) * 2 // 3], "truncated or corrupt"),
        "csv.gz": (gzip.compress(b"id,name\n1,x\n"), "line 1 is not valid JSON"),
        "other.gz": (gzip.compress(b'{"format": "pg_dump"}\n'), "not a cixi-assessment-backup"),
        "empty.gz": (gzip.compress(b""), "the file is empty"),
    }
    for name, (content, _) in cases.items():
        (tmp_path / name).write_bytes(content)
    rewrite(good, tmp_path / "short.gz", keep=lines - 3)
    cases["short.gz"] = (None, "the file is incomplete")
    rewrite(good, tmp_path / "stray.gz", row=lambda o: o.update(table=o["table"] + "_x"))
    cases["stray.gz"] = (None, "line 2 is not a row the header describes")

    target = app  # the suite's empty database: SQLite, or PostgreSQL with TEST_DATABASE_URL
    before = backup.table_counts(engine_of(target))
    for name, (_, message) in cases.items():
        result = restore_into(target, tmp_path / name, "--yes")
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output, (name, result.output)
        assert backup.table_counts(engine_of(target)) == before, name
    assert restore_into(target, good).exit_code == 0


def test_revisions_newer_than_the_code_are_refused_older_ones_restore(app, small_backup, tmp_path):
    source, good = small_backup
    head = backup.head_revision()

    def future(h):
        h["alembic_revision"] = "0099"

    newer = restore_into(app, rewrite(good, tmp_path / "newer.gz", header=future))
    assert newer.exit_code == 1
    assert f"revision 0099, which is newer than this code (its newest revision is {head})" in (
        newer.output
    )
    unknown = with_column_changed(good, tmp_path / "unknown.gz", "enterprise", add="colour")
    assert "unknown columns: ['colour']" in restore_into(app, unknown).output
    lacking = with_column_changed(good, tmp_path / "lacking.gz", "enterprise", drop="uscc")
    assert "lacks required column uscc" in restore_into(app, lacking).output
    assert not backup.data_counts(backup.table_counts(engine_of(app)))

    # Revision 0003 still had assessment.result, dropped since: an old backup restores without it.
    def old_header(h):
        h["alembic_revision"] = "0003"
        h["columns"]["assessment"].append("result")

    def old_row(o):
        if o["table"] == "assessment":
            o["row"]["result"] = {"total": 1.0}

    older = restore_into(app, rewrite(good, tmp_path / "older.gz", old_header, old_row))
    assert older.exit_code == 0, older.output
    assert backup.table_counts(source) == backup.table_counts(engine_of(app))
    assert backup.differences(source, engine_of(app)) == []


def test_a_failed_backup_leaves_no_file(make_app, tmp_path):
    bare = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'bare.sqlite3'}")  # never migrated
    out = tmp_path / "out" / "backup.jsonl.gz"
    out.parent.mkdir()
    out.write_bytes(b"yesterday's backup")
    result = bare.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1 and "run `flask --app app init-db` first" in result.output
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
    assert out.read_bytes() == b"yesterday's backup"  # and the previous backup is intact
