"""The bureau workspace: roles, dashboard numbers against hand-computed fixtures, list, exports,
audit, bad filters."""

from __future__ import annotations

import csv
import io
import random
import re
import time
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from assessment.services import surveys
from assessment.services.accounts import hash_password
from assessment.services.bureau_filters import Filters
from assessment.services.bureau_stats import dashboard
from assessment.services.cache import bump_generation
from assessment.services.demo import demo_answers
from assessment.services.models import Assessment, AuditEvent, Enterprise, QuestionScore, User

from . import factories as f
from .conftest import app_session
from .helpers import login, register, typical_answers

PASSWORD = "Bureau-Pass-2025"


def make_user(app, email, role):
    with app_session(app) as s:
        s.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        s.commit()


@pytest.fixture
def bureau(client, app):
    make_user(app, "analyst@jxj.example", "bureau")
    login(client, "analyst@jxj.example", PASSWORD)
    return client


def fixture_city(app):
    """Four enterprises with hand-picked latest scores, plus noise that must not count."""
    with app_session(app) as s:
        q = {"f_a": None, "f_b": None}
        rows = [  # industry, town, size, total, stage, points on f_a and f_b (of 10)
            ("appliances", "zhouxiang", "small", 20, "starting", (1, 9)),
            ("appliances", "hushan", "medium", 40, "starting", (2, 8)),
            ("bearings", "zhouxiang", "small", 60, "single_coverage", (3, 7)),
            ("bearings", "hushan", "micro", 80, "integration", (4, 6)),
        ]
        for industry, town, size, total, stage, (pa, pb) in rows:
            ent = f.enterprise(s, industry, town, size)
            f.submitted(s, ent, total - 10, days_ago=300)  # an older one, replaced below
            f.submitted(
                s,
                ent,
                total,
                {"foundation": total},
                days_ago=20,
                stage=stage,
                questions={"f_a": (pa, 10), "f_b": (pb, 10)},
            )
        f.submitted(s, f.enterprise(s, "plastics"), 99, days_ago=900)  # outside 24 months
        f.submitted(s, f.enterprise(s, is_demo=True), 5)  # demo: never mixed in
        del q
        bump_generation(s)
        s.commit()


def test_every_bureau_route_refuses_anonymous_and_enterprise_users(client, app):
    urls = [
        "/bureau/",
        "/bureau/enterprises",
        "/bureau/export.csv",
        "/bureau/export.xlsx",
        "/bureau/jobs/whatever",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    assert client.post("/bureau/reports").status_code == 302
    register(client)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post("/bureau/reports").status_code == 403


def test_admin_may_use_the_bureau_workspace(client, app):
    make_user(app, "admin@jxj.example", "admin")
    login(client, "admin@jxj.example", PASSWORD)
    assert client.get("/bureau/").status_code == 200


def test_dashboard_numbers_match_hand_computed_values(bureau, app):
    fixture_city(app)
    page = bureau.get("/bureau/?period=24m").text
    assert re.search(r'id="kpi-participants">4<', page)
    assert re.search(r'id="kpi-submissions">8<', page)  # the older ones are in the 24 months too
    assert re.search(r'id="kpi-mean">50.0<', page)  # (20+40+60+80)/4
    assert re.search(r'id="kpi-median">50.0<', page)  # (40+60)/2
    with app_session(app) as s:
        window = f.at(730)
        everything = dashboard(s, Filters("lianghua", "2025.1"))
        assert everything.participants == 5  # all time includes the 900-day-old plastics firm
        data = dashboard(s, Filters("lianghua", "2025.1", start=window))
        assert data.participants == 4 and data.mean == 50 and data.median == 50
        assert data.stages == {"starting": 2, "single_coverage": 1, "integration": 1}
        assert data.histogram == [0, 0, 1, 0, 1, 0, 1, 0, 1, 0]
        industries = {g.key: g for g in data.by_industry}
        assert industries["appliances"].n == 2 and industries["appliances"].median == 30
        assert industries["bearings"].stage_shares == {"single_coverage": 0.5, "integration": 0.5}
        # f_a: (1+2+3+4)/40 = 25 %; f_b: (9+8+7+6)/40 = 75 %: f_a is the weakest.
        assert [(i.question_id, round(i.share, 2)) for i in data.weakest_city] == [
            ("f_a", 0.25),
            ("f_b", 0.75),
        ]
        cohort = dashboard(s, Filters("lianghua", "2025.1", window, industry="bearings"))
        assert cohort.participants == 2 and cohort.mean == 70
        assert [round(i.share, 2) for i in cohort.weakest_cohort] == [0.35, 0.65]
        assert cohort.weakest_city == data.weakest_city
        assert sum(n for _q, n, _m in data.trend) == 8


def test_period_filter_for_a_past_year_uses_the_latest_within_it(bureau, app):
    with app_session(app) as s:
        ent = f.enterprise(s)
        f.submitted(s, ent, 30, days_ago=500)
        f.submitted(s, ent, 70, days_ago=5)
        s.commit()
        then = f.at(500)
        past = Filters(
            "lianghua", "2025.1", datetime(then.year, 1, 1), datetime(then.year + 1, 1, 1)
        )
        assert dashboard(s, past).mean == 30
        assert dashboard(s, Filters("lianghua", "2025.1")).mean == 70


def test_unknown_filters_bad_pages_and_sorts_get_a_page_not_an_error(bureau, app):
    fixture_city(app)
    for url in [
        "/bureau/?industry=atlantis&town=%3Cscript%3E&size=huge&period=forever&q=nope",
        "/bureau/enterprises?page=999999&per_page=100000&sort=password&dir=sideways",
        "/bureau/enterprises?page=-3&per_page=abc",
        "/bureau/enterprises?search=%25%27%3B--",
        "/bureau/enterprises/no-such-enterprise",
        "/bureau/jobs/nope",
        "/bureau/export.pdf",
    ]:
        response = bureau.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
    page = bureau.get("/bureau/?industry=atlantis").text
    assert "未知的所属行业“atlantis”已忽略。" in page  # Chinese: the default
    assert re.search(r'id="kpi-participants">5<', page)  # as if no industry had been asked for
    hostile = bureau.get("/bureau/?town=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile  # named as ignored, escaped
    assert "<script>alert(1)" not in hostile


def test_enterprise_list_searches_sorts_and_paginates(bureau, app):
    fixture_city(app)
    page = bureau.get("/bureau/enterprises?sort=total&dir=asc&period=24m").text
    totals = [float(t) for t in re.findall(r'<td class="num"><strong>([\d.]+)</strong>', page)]
    assert totals == [20, 40, 60, 80]
    page = bureau.get(
        "/bureau/enterprises?sort=dim:foundation&dir=desc&per_page=2&page=2&period=24m"
    ).text
    assert re.findall(r'<td class="num"><strong>([\d.]+)</strong>', page) == ["40.0", "20.0"]
    assert "第 2 / 2 页（共 4 条）" in page  # Chinese: the default
    with app_session(app) as s:
        uscc = s.scalars(select(Enterprise.uscc).order_by(Enterprise.id)).first()
    found = bureau.get(f"/bureau/enterprises?search={uscc[:12].lower()}").text
    assert found.count("<strong>20.0</strong>") == 1


def test_csv_export_opens_back_with_bom_and_neutralised_formulas(bureau, app):
    fixture_city(app)
    with app_session(app) as s:
        ent = f.enterprise(s, name='=HYPERLINK("http://evil","x")')
        f.submitted(s, ent, 33)
        s.commit()
    response = bureau.get("/bureau/export.csv?period=24m")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["统一社会信用代码", "企业名称"] and len(rows) == 1 + 5
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert rows[0][7] == "问卷版本" and {r[7] for r in rows[1:]} == {"2025.1"}
    totals = sorted(float(r[8]) for r in rows[1:])
    assert totals == [20, 33, 40, 60, 80]
    assert rows[0][-5] == "基础建设"


FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2"]


def test_every_formula_start_is_neutralised_in_both_exports(bureau, app):
    """A name a spreadsheet would run as a formula comes back as text, quote first."""
    with app_session(app) as s:
        for n, name in enumerate(FORMULAS):
            f.submitted(s, f.enterprise(s, name=name), 10 + n)
        s.commit()
    expected = sorted("'" + name for name in FORMULAS)
    response = bureau.get("/bureau/export.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert sorted(r[1] for r in rows[1:]) == expected
    response = bureau.get("/bureau/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    in_xml = sorted(name.replace("\r", "\n") for name in expected)  # XML stores CR as LF
    assert sorted(r[1] for r in list(sheet.iter_rows(values_only=True))[1:]) == in_xml


def test_xlsx_export_has_enterprises_and_cohort_tables(bureau, app):
    fixture_city(app)
    response = bureau.get("/bureau/export.xlsx?industry=bearings")
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["企业列表", "分组统计"]
    enterprises = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(enterprises) == 3 and sorted(r[8] for r in enterprises[1:]) == [60, 80]
    cohorts = list(book.worksheets[1].iter_rows(values_only=True))
    assert cohorts[0][1] == 2


def test_exports_and_detail_views_are_audited(bureau, app):
    fixture_city(app)
    bureau.get("/bureau/export.csv?industry=bearings")
    bureau.get("/bureau/export.xlsx")
    page = bureau.get("/bureau/enterprises").text
    detail = re.search(r'href="(/bureau/enterprises/[^"]+)"', page).group(1)
    assert bureau.get(detail).status_code == 200
    with app_session(app) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["export_csv", "export_xlsx", "view_enterprise"]
        assert events[0].details["industry"] == "bearings"
        assert all(e.user_id is not None for e in events)


def test_an_empty_filter_export_explains_instead_of_sending_nothing(bureau, app):
    response = bureau.get("/bureau/export.csv?industry=chemicals")
    assert response.status_code == 302
    follow = bureau.get(response.headers["Location"]).text
    assert "没有符合筛选条件的企业，无可导出的内容。" in follow  # Chinese: the default


def test_enterprise_detail_shows_history(bureau, app):
    fixture_city(app)
    page = bureau.get("/bureau/enterprises?sort=total&dir=asc&period=24m").text
    detail = re.search(r'href="(/bureau/enterprises/[^"]+)"', page).group(1)
    text = bureau.get(detail).text
    assert "10.0" in text and "20.0" in text  # both assessments of the first enterprise
    assert "<svg" in text


def test_batch_reports_build_a_zip_in_the_background(bureau, app, job_worker):
    fixture_city(app)
    with app_session(app) as s:
        # Real answers so the reports can be built: give the fixture assessments the engine's answers.
        q = app.extensions["questionnaires"].get("lianghua")
        for a in s.scalars(select(Assessment)):
            a.answers = typical_answers(q)
        s.commit()
    started = bureau.post("/bureau/reports?industry=bearings")
    assert started.status_code == 302
    status_url = started.headers["Location"]
    deadline = time.time() + 60
    while time.time() < deadline:
        page = bureau.get(status_url).text
        if 'http-equiv="refresh"' not in page:  # the job is over: done or failed
            break
        time.sleep(0.3)
    assert 'id="job-download"' in page, page[-2000:]
    data = bureau.get(status_url + "/download").data
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    with app_session(app) as s:
        assert (
            s.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "export_reports_zip")
            )
            == 1
        )


def test_an_ended_period_stays_cached_across_submits_but_not_across_history_changes(bureau, app):
    last_year = f.at(0).year - 1
    days_into_last_year = (f.at(0) - datetime(last_year, 7, 1)).days  # mid last year
    with app_session(app) as s:
        f.submitted(s, f.enterprise(s), 30, days_ago=days_into_last_year)
        s.commit()
    url = f"/bureau/?period=y{last_year}"
    assert re.search(r'id="kpi-participants">1<', bureau.get(url).text)
    assert re.search(r'id="kpi-participants">1<', bureau.get("/bureau/").text)  # all time
    cache = app.extensions["cache"]
    with app_session(app) as s:  # an enterprise submits now: last year cannot change
        questionnaire = app.extensions["questionnaires"].get("lianghua")
        draft = surveys.start(s, f.enterprise(s), questionnaire)
        draft.answers = demo_answers(questionnaire, 0.6, random.Random(1))
        s.commit()
        surveys.submit(s, draft, questionnaire)
    hits, misses = cache.hits, cache.misses
    assert re.search(r'id="kpi-participants">1<', bureau.get(url).text)
    assert cache.hits > hits and cache.misses == misses  # served from the cache, not recomputed
    assert re.search(r'id="kpi-participants">2<', bureau.get("/bureau/").text)  # all time moved
    with app_session(app) as s:  # history rewritten (as by a seed or restore): recomputed
        f.submitted(s, f.enterprise(s), 70, days_ago=days_into_last_year)
        s.commit()
    assert re.search(r'id="kpi-participants">2<', bureau.get(url).text)


WEAK_RE = re.compile(r"<li><span>([^<]*)</span>.*?<strong>(\d+%)</strong></li>", re.S)


def test_repaired_scores_reach_a_cached_dashboard_after_rebuild_totals(bureau, app, runner):
    """Scores changed in the database around the application, then `flask rebuild-totals` (the
    documented repair): the dashboard shows the repaired figures, not the ones it cached."""
    fixture_city(app)
    assert WEAK_RE.findall(bureau.get("/bureau/").text) == [("f_a", "25%"), ("f_b", "75%")]
    with app_session(app) as s:
        s.execute(
            update(QuestionScore)
            .where(QuestionScore.question_id == "f_a")
            .values(points=QuestionScore.max_points)
        )
        s.commit()
    result = runner.invoke(args=["rebuild-totals"])
    assert result.exit_code == 0, result.output
    assert WEAK_RE.findall(bureau.get("/bureau/").text) == [("f_b", "75%"), ("f_a", "100%")]


def pooled(start, end) -> Filters:
    """The lianghua dashboard's filters: both versions, counted together."""
    return Filters("lianghua", "2025.2", start, end, include_demo=True,
                   versions=("2025.1", "2025.2"))  # fmt: skip


def test_seeded_demo_data_reaches_a_cached_dashboard_and_its_past_years(make_app):
    """Seeding writes submissions in the past: every cached figure, ended years included, is
    recomputed."""
    app = make_app(DEMO_MODE=True)
    make_user(app, "analyst@jxj.example", "bureau")
    client = app.test_client()
    login(client, "analyst@jxj.example", PASSWORD)
    last_year = f.at(0).year - 1
    urls = ("/bureau/", f"/bureau/?period=y{last_year}")
    for url in urls:
        assert re.search(r'id="kpi-participants">0<', client.get(url).text), url
    result = app.test_cli_runner().invoke(args=["seed-demo", "--enterprises", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app_session(app) as s:
        expected = {
            url: dashboard(s, pooled(start, end))
            for url, (start, end) in zip(
                urls,
                [(None, None), (datetime(last_year, 1, 1), datetime(last_year + 1, 1, 1))],
                strict=True,
            )
        }
    for url in urls:
        assert expected[url].participants > 0, url
        shown = re.search(r'id="kpi-participants">(\d+)<', client.get(url).text).group(1)
        assert int(shown) == expected[url].participants, url
