"""The `flask --app app ...` commands."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from assessment.core.enterprise import industries, towns
from assessment.core.enums import Role
from assessment.core.scoring import score
from assessment.core.uscc import validate_uscc
from assessment.services import accounts
from assessment.services.models import Assessment, Base, Enterprise, User

from .conftest import app_session
from .helpers import typical_answers

MINI = Path(__file__).parent / "data" / "mini-1.yaml"


def test_validate_lists_every_problem_and_exits_1(runner, tmp_path):
    ok = runner.invoke(args=["questionnaire", "validate", str(MINI)])
    assert ok.exit_code == 0 and "OK (mini 1" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8")
        .replace("type: ladder", "type: slider")
        .replace("effort: high", "effort: huge"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["questionnaire", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: question erp: type 'slider'" in result.output
    assert f"{bad}: recommendation r_erp: effort must be one of" in result.output


def test_list_and_show(runner):
    listing = runner.invoke(args=["questionnaire", "list"]).output
    assert "lianghua\t2025.1" in listing and "cloud\t2025.1" in listing
    shown = runner.invoke(args=["questionnaire", "show", "cloud", "--format", "json"])
    definition = json.loads(shown.output)
    assert definition["id"] == "cloud" and len(definition["dimensions"]) == 5
    number = next(q for q in definition["questions"] if q["type"] == "number")
    assert {"min", "max", "bands", "unit"} <= set(number)
    ladder = next(q for q in definition["questions"] if q["type"] == "ladder")
    assert [lv["value"] for lv in ladder["levels"]] == [0, 1, 2, 3, 4]
    assert any(q["relevant"] for q in definition["questions"])
    missing = runner.invoke(args=["questionnaire", "show", "nope"])
    assert missing.exit_code != 0 and "no questionnaire nope" in missing.output


def test_score_prints_the_engines_result(runner, registry, tmp_path):
    questionnaire = registry.get("lianghua")
    answers = typical_answers(questionnaire)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["score", "lianghua", str(path)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    expected = score(questionnaire, answers)
    assert printed["total"] == expected.total and printed["stage"] == expected.stage
    assert printed["dimensions"] == {d: r.score for d, r in expected.dimensions.items()}
    some = next(iter(expected.questions))
    assert printed["questions"][some]["points"] == expected.questions[some].points


def test_score_refuses_bad_answers_with_reasons(runner, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"f_nope": 1, "net": "x"}), encoding="utf-8")
    result = runner.invoke(args=["score", "lianghua", str(path)])
    assert result.exit_code != 0 and "f_nope: no such question" in result.output
    path.write_text("{not json", encoding="utf-8")
    assert "not valid JSON" in runner.invoke(args=["score", "cloud", str(path)]).output


def test_init_db_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and "revision" in result.output


def test_create_user_makes_a_staff_account_that_can_sign_in(runner, session):
    password = "quiet-harbour-42"
    args = ["create-user", "--email", "Analyst@Example.com", "--role", "bureau"]
    created = runner.invoke(args=[*args, "--password", password])
    assert created.exit_code == 0, created.output
    assert created.output == "Created bureau account Analyst@Example.com.\n"
    user = accounts.authenticate(session, "analyst@example.com", password)
    assert user is not None and user.email == "analyst@example.com"
    assert user.role == Role.BUREAU and user.active
    taken = runner.invoke(args=[*args, "--password", password])
    assert taken.exit_code == 1
    assert "an account with Analyst@Example.com already exists" in taken.output
    # The prompted password goes through the same rules as --password.
    common = runner.invoke(
        args=["create-user", "--email", "boss@example.com", "--role", "admin"],
        input="1234567890\n1234567890\n",
    )
    assert common.exit_code == 1
    assert "Error: This password is too common and easy to guess." in common.output
    assert not accounts.email_taken(session, "boss@example.com")


def test_seed_demo_creates_valid_flagged_data_deterministically(app, runner):
    result = runner.invoke(args=["seed-demo", "--enterprises", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "Demo bureau login:" in result.output and "Demo enterprise login:" in result.output
    with app_session(app) as s:
        enterprises = s.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        assert len(enterprises) == 40 and all(e.is_demo for e in enterprises)
        for e in enterprises:
            code, problems = validate_uscc(e.uscc)
            assert problems == [] and code[2:8] == "330282"
        assessments = s.scalar(select(func.count(Assessment.id)))
        assert assessments > 40
        # The demo logins: the enterprise, the bureau analyst and a town officer.
        assert s.scalar(select(func.count(User.id))) == 3
        snapshot = [(e.uscc, e.town, e.industry, e.size_class) for e in enterprises]
        totals = s.scalars(select(Assessment.total).order_by(Assessment.id)).all()
    skipped = runner.invoke(args=["seed-demo", "--enterprises", "5", "--if-empty"])
    assert "already has enterprises" in skipped.output
    # The same seed on an emptied database gives the same enterprises and scores.
    with app_session(app) as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
        s.commit()
    again_run = runner.invoke(args=["seed-demo", "--enterprises", "40", "--seed", "7"])
    assert again_run.exit_code == 0, again_run.output
    with app_session(app) as s:
        again = s.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        assert [(e.uscc, e.town, e.industry, e.size_class) for e in again] == snapshot
        assert s.scalars(select(Assessment.total).order_by(Assessment.id)).all() == totals


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert "lianghua@2025.1" in response.json["questionnaires"]


def test_demo_data_has_a_realistic_spread(app, runner):
    result = runner.invoke(args=["seed-demo", "--enterprises", "400", "--seed", "11"])
    assert result.exit_code == 0
    with app_session(app) as s:
        rows = s.execute(select(Enterprise.size_class, Enterprise.town, Enterprise.industry)).all()
        sizes = Counter(r[0] for r in rows)
        assert sizes["micro"] + sizes["small"] > 5 * sizes["large"]
        assert sizes["medium"] > sizes["large"]
        assert len({r[1] for r in rows}) >= 18 and {r[1] for r in rows} <= {t.code for t in towns()}
        assert "hangzhouwan" in {r[1] for r in rows}
        assert len({r[2] for r in rows}) == len(industries())
        twice = s.execute(
            select(Assessment.enterprise_id, Assessment.questionnaire_id, func.count())
            .group_by(Assessment.enterprise_id, Assessment.questionnaire_id)
            .having(func.count() > 1)
        ).all()
        assert len(twice) > 10  # some enterprises re-assessed
        # Larger firms score higher on average: answers correlate with size.
        by_size = dict(
            s.execute(
                select(Assessment.size_class, func.avg(Assessment.total)).group_by(
                    Assessment.size_class
                )
            ).all()
        )
        assert by_size["large"] > by_size["small"] > by_size["micro"]


def test_export_command_writes_csv_and_xlsx(app, runner, tmp_path):
    runner.invoke(args=["seed-demo", "--enterprises", "30", "--seed", "2"])
    app.config["DEMO_MODE"] = True  # demo enterprises count only in demo mode
    out = tmp_path / "all.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "统一社会信用代码" and len(rows) > 10
    assert f"{len(rows) - 1} enterprises" in result.output
    xlsx = tmp_path / "all.xlsx"
    assert (
        runner.invoke(
            args=["export", "--format", "xlsx", "--out", str(xlsx), "--lang", "en"]
        ).exit_code
        == 0
    )
    book = load_workbook(xlsx, read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    assert sheet[0][0] == "Unified social credit code" and len(sheet) == len(rows)
