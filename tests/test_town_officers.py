"""Town officers (镇街 经发办): created with towns, scoped to them on every bureau view (figures,
lists, exports, one enterprise, results, PDFs, campaign progress), refused another town's
enterprise (404) and another town's filter, every view audited."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assessment.services.accounts import hash_password
from assessment.services.bureau_filters import Filters
from assessment.services.models import Assessment, AuditEvent, Enterprise, Job, User

from .conftest import app_session
from .helpers import login
from .test_bureau import fixture_city

PASSWORD = "Officer-Pass-2025"


def make_officer(app, email="zx@jxj.example", towns=("zhouxiang",)):
    with app_session(app) as s:
        s.add(User(email=email, password_hash=hash_password(PASSWORD), role="town_officer",
                   towns=list(towns)))  # fmt: skip
        s.commit()


@pytest.fixture
def officer(client, app):
    """An officer of 周巷镇, signed in, over the bureau tests' city (in the last 24 months: two
    enterprises in 周巷镇 with latest totals 20 and 60, two in 浒山街道 with 40 and 80; before: one
    more in 周巷镇)."""
    fixture_city(app)
    make_officer(app)
    login(client, "zx@jxj.example", PASSWORD)
    return client


def ids_by_town(app) -> dict[str, list[tuple[str, str]]]:
    """(enterprise public id, latest assessment public id) by town, of the city's real ones."""
    with app_session(app) as s:
        rows = s.execute(
            select(Enterprise.town, Enterprise.public_id, Assessment.public_id)
            .join(Assessment, Assessment.enterprise_id == Enterprise.id)
            .where(
                Assessment.is_latest.is_(True),
                Enterprise.is_demo.is_(False),
                Enterprise.town.in_(["zhouxiang", "hushan"]),
            )  # fmt: skip
        ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for town, enterprise, assessment in rows:
        found.setdefault(town, []).append((enterprise, assessment))
    return found


# --- accounts ----------------------------------------------------------------------------------


def test_create_user_makes_a_town_officer_and_refuses_one_without_a_town(runner, app):
    base = ["create-user", "--role", "town_officer", "--password", PASSWORD]
    result = runner.invoke(args=[*base, "--email", "o1@jxj.example"])
    assert result.exit_code != 0 and "A town officer needs at least one town." in result.output
    result = runner.invoke(
        args=[*base, "--email", "o1@jxj.example", "--towns", "zhouxiang,atlantis"]
    )
    assert result.exit_code != 0 and "Unknown town “atlantis”." in result.output
    assert "guanhaiwei" in result.output  # the known codes are listed
    result = runner.invoke(args=[*base, "--email", "o1@jxj.example", "--towns",
                                 " guanhaiwei, zhouxiang ,zhouxiang"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with app_session(app) as s:
        user = s.scalar(select(User).where(User.email == "o1@jxj.example"))
        assert user.role == "town_officer" and user.towns == ["guanhaiwei", "zhouxiang"]
    result = runner.invoke(args=["create-user", "--role", "bureau", "--password", PASSWORD,
                                 "--email", "b1@jxj.example", "--towns", "zhouxiang"])  # fmt: skip
    assert result.exit_code != 0 and "only for town officer accounts" in result.output


def test_an_admin_edits_the_towns_on_the_users_page_and_it_is_audited(client, app):
    make_officer(app)
    with app_session(app) as s:
        s.add(User(email="root@jxj.example", password_hash=hash_password(PASSWORD), role="admin"))
        s.commit()
        officer_id = s.scalar(select(User.id).where(User.email == "zx@jxj.example"))
        admin_id = s.scalar(select(User.id).where(User.email == "root@jxj.example"))
    login(client, "root@jxj.example", PASSWORD)
    users = client.get("/admin/users").text
    assert "周巷镇" in users and f"/admin/users/{officer_id}/towns" in users
    page = client.get(f"/admin/users/{officer_id}/towns").text
    assert re.search(r'value="zhouxiang"[^>]*checked|checked[^>]*value="zhouxiang"', page)
    empty = client.post(f"/admin/users/{officer_id}/towns", data={})
    assert empty.status_code == 200 and "镇街工作人员至少要负责一个镇街。" in empty.text
    bad = client.post(f"/admin/users/{officer_id}/towns", data={"towns": ["hushan", "mars"]})
    assert "未知镇街“mars”。" in bad.text
    assert re.search(r'value="hushan"[^>]*checked|checked[^>]*value="hushan"', bad.text)  # kept
    saved = client.post(f"/admin/users/{officer_id}/towns",
                        data={"towns": ["hushan", "zhouxiang"]})  # fmt: skip
    assert saved.status_code == 302
    assert client.get(f"/admin/users/{admin_id}/towns").status_code == 404  # not an officer
    with app_session(app) as s:
        assert s.get(User, officer_id).towns == ["hushan", "zhouxiang"]
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "set_officer_towns"))
        assert event.details["before"] == ["zhouxiang"]
        assert event.details["after"] == ["hushan", "zhouxiang"]


# --- scope -------------------------------------------------------------------------------------


def test_the_dashboard_counts_the_officers_towns_only(officer, app):
    page = officer.get("/bureau/?period=24m").text
    assert re.search(r'id="kpi-participants">2<', page)  # 20 and 60 in 周巷镇
    assert re.search(r'id="kpi-mean">40\.0<', page)
    assert "仅限所辖镇街：" in page and "所辖镇街最薄弱的十项指标" in page
    assert "浒山街道" not in page.split('id="scope-note"')[1]  # no other town in the figures
    # f_a: (1+3)/20 = 20 %, f_b: (9+7)/20 = 80 % over the two enterprises of 周巷镇 only.
    assert re.search(r"20(\.0)?%", page) and re.search(r"80(\.0)?%", page)


def test_a_filter_on_another_town_is_ignored_with_a_message(officer, app):
    page = officer.get("/bureau/?period=24m&town=hushan").text
    assert re.search(r'id="kpi-participants">2<', page)  # still 周巷镇's two
    assert "浒山街道不在您所辖的镇街中，已忽略。" in page
    listing = officer.get("/bureau/enterprises?period=24m&town=hushan").text
    assert listing.count('href="/bureau/enterprises/') == 2


def test_list_exports_and_one_enterprise_stay_in_the_officers_towns(officer, app):
    towns = ids_by_town(app)
    listing = officer.get("/bureau/enterprises").text
    for enterprise, _assessment in towns["zhouxiang"]:
        assert f"/bureau/enterprises/{enterprise}" in listing
    for enterprise, assessment in towns["hushan"]:
        assert f"/bureau/enterprises/{enterprise}" not in listing
        assert officer.get(f"/bureau/enterprises/{enterprise}").status_code == 404
        assert officer.get(f"/a/{assessment}/result").status_code == 404
        assert officer.get(f"/a/{assessment}/report.pdf").status_code == 404
    for enterprise, assessment in towns["zhouxiang"]:
        assert officer.get(f"/bureau/enterprises/{enterprise}").status_code == 200
        assert officer.get(f"/a/{assessment}/result").status_code == 200
    csv_text = officer.get("/bureau/export.csv?period=24m").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert sorted(r[2] for r in rows[1:-1]) == ["周巷镇", "周巷镇"]
    assert rows[-1] == ["全部提交 · 镇街：周巷镇"]  # the file says what it holds
    book = load_workbook(io.BytesIO(officer.get("/bureau/export.xlsx?period=24m").data),
                         read_only=True)  # fmt: skip
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 3
    assert list(book.worksheets[1].iter_rows(values_only=True))[-1][0] == "全部提交 · 镇街：周巷镇"


def test_an_officer_without_towns_sees_nothing(client, app):
    fixture_city(app)
    make_officer(app, "none@jxj.example", towns=())
    login(client, "none@jxj.example", PASSWORD)
    assert re.search(r'id="kpi-participants">0<', client.get("/bureau/").text)
    assert "/bureau/enterprises/" not in client.get("/bureau/enterprises").text


def test_every_officer_view_is_audited(officer, app):
    towns = ids_by_town(app)
    enterprise, assessment = towns["zhouxiang"][0]
    for url in ("/bureau/", "/bureau/enterprises", f"/bureau/enterprises/{enterprise}",
                f"/a/{assessment}/result", f"/a/{assessment}/report.pdf", "/bureau/export.csv"):  # fmt: skip
        response = officer.get(url)
        response.get_data()
        assert response.status_code == 200, url
    with app_session(app) as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)
        ).all()  # fmt: skip
    assert [a for a, _d in events] == ["view_dashboard", "view_enterprise_list", "view_enterprise",
                                       "view_result", "download_report", "export_csv"]  # fmt: skip
    assert events[0][1]["towns"] == ["zhouxiang"] and events[-1][1]["towns"] == ["zhouxiang"]


def test_the_bureau_is_not_scoped_and_its_aggregate_views_are_not_audited(client, app):
    fixture_city(app)
    with app_session(app) as s:
        s.add(User(email="a@jxj.example", password_hash=hash_password(PASSWORD), role="bureau"))
        s.commit()
    login(client, "a@jxj.example", PASSWORD)
    assert re.search(r'id="kpi-participants">4<', client.get("/bureau/?period=24m").text)
    client.get("/bureau/enterprises")
    with app_session(app) as s:
        assert s.scalar(select(AuditEvent.id)) is None


def test_an_officers_batch_of_reports_keeps_the_towns(officer, app):
    from_form = Filters("lianghua", "2025.1", towns=frozenset({"zhouxiang"}), approved_only=True)
    assert Filters.from_dict(from_form.to_dict()) == from_form  # what a background job reads back
    assert officer.post("/bureau/reports?period=24m").status_code == 302
    with app_session(app) as s:
        job = s.scalar(select(Job))
        assert job.params["filters"]["towns"] == ["zhouxiang"]
        assert Filters.from_dict(job.params["filters"]).towns == frozenset({"zhouxiang"})
