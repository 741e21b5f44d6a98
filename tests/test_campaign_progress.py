"""A campaign's progress against hand-counted figures: by town and by industry (targets,
registered, started, submitted, approved, completion), the chart, the laggards with their
contacts and their CSV/XLSX exports, a town officer's share of it, audited."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assessment.services import campaign_progress
from assessment.services.accounts import hash_password
from assessment.services.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignTarget,
    User,
    utcnow,
)

from . import factories as f
from .conftest import app_session
from .helpers import login

PASSWORD = "Progress-Pass-2025"
CODES = itertools.count(1)


def target(s, campaign, town, industry, name, enterprise=None, contact=("", "", "")):
    s.add(CampaignTarget(campaign=campaign, uscc=enterprise.uscc if enterprise else f"U{name}",
                         name=name, town=town, industry=industry,
                         invite_code=f"PROGRESS{next(CODES):04d}",
                         enterprise_id=enterprise.id if enterprise else None,
                         contact_name=contact[0], contact_phone=contact[1],
                         contact_email=contact[2]))  # fmt: skip


def draft(s, enterprise, days_ago):
    when = utcnow() - timedelta(days=days_ago)
    s.add(Assessment(enterprise=enterprise, questionnaire_id="lianghua", questionnaire_version="2025.1",
                     answers={}, created_at=when, updated_at=when))  # fmt: skip


def campaign_fixture(app) -> str:
    """Nine targets of a lianghua campaign running since ten days ago (see each line)."""
    today = date.today()
    with app_session(app) as s:
        c = Campaign(name="进度测试", questionnaire_ids=["lianghua"],
                     starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))  # fmt: skip
        other = Campaign(name="另一任务", questionnaire_ids=["lianghua"],
                         starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))  # fmt: skip
        s.add_all([c, other])
        s.flush()

        def ent(town, name):
            return f.enterprise(s, town=town, name=name)

        # 周巷镇: T1 not registered; T2 registered, nothing begun; T3 a draft; T4 submitted.
        target(s, c, "zhouxiang", "appliances", "T1", contact=("张三", "13800000001", "t1@x.cn"))
        target(
            s,
            c,
            "zhouxiang",
            "appliances",
            "T2",
            ent("zhouxiang", "T2企业"),
            ("李四", "0574-1", ""),
        )
        e3 = ent("zhouxiang", "T3企业")
        target(s, c, "zhouxiang", "bearings", "T3", e3)
        draft(s, e3, 2)
        e4 = ent("zhouxiang", "T4企业")
        target(s, c, "zhouxiang", "bearings", "T4", e4)
        a4 = f.submitted(s, e4, 50, days_ago=1)
        a4.campaign_id, a4.review_status = c.id, "pending"
        # 观海卫镇: T5 approved; T6 returned; T7 only a draft older than the campaign; T8 submitted
        # in the campaign's dates before it was bound (no campaign, no review).
        e5 = ent("guanhaiwei", "T5企业")
        target(s, c, "guanhaiwei", "appliances", "T5", e5)
        a5 = f.submitted(s, e5, 60, days_ago=3)
        a5.campaign_id, a5.review_status = c.id, "approved"
        e6 = ent("guanhaiwei", "T6企业")
        target(s, c, "guanhaiwei", "appliances", "T6", e6, ("王五", "13900000006", "t6@x.cn"))
        a6 = f.submitted(s, e6, 70, days_ago=3)
        a6.campaign_id, a6.review_status = c.id, "returned"
        e7 = ent("guanhaiwei", "T7企业")
        target(s, c, "guanhaiwei", "bearings", "T7", e7, ("赵六", "13700000007", ""))
        draft(s, e7, 40)
        e8 = ent("guanhaiwei", "T8企业")
        target(s, c, "guanhaiwei", "bearings", "T8", e8)
        f.submitted(s, e8, 40, days_ago=4)
        # 浒山街道: T9 submitted, but for the other campaign.
        e9 = ent("hushan", "T9企业")
        target(s, c, "hushan", "appliances", "T9", e9)
        a9 = f.submitted(s, e9, 45, days_ago=2)
        a9.campaign_id, a9.review_status = other.id, "pending"
        s.commit()
        return c.public_id


def counts(row) -> tuple:
    return (row.targets, row.registered, row.started, row.submitted, row.approved, row.returned)


def test_progress_figures_match_the_hand_count(app):
    public_id = campaign_fixture(app)
    with app_session(app) as s:
        c = s.scalar(select(Campaign).where(Campaign.public_id == public_id))
        data = campaign_progress.progress(s, c, None)
        by_town = {g.key: counts(g) for g in data.by_town}
        by_industry = {g.key: counts(g) for g in data.by_industry}
        laggards = {
            t: [(x.target.name, x.status) for x in items] for t, items in data.laggards.items()
        }
    assert counts(data.total) == (9, 8, 5, 3, 1, 1) and round(data.total.rate, 4) == 0.3333
    assert by_town == {"zhouxiang": (4, 3, 2, 1, 0, 0), "guanhaiwei": (4, 4, 3, 2, 1, 1),
                       "hushan": (1, 1, 0, 0, 0, 0)}  # fmt: skip
    assert [g.key for g in data.by_town] == ["hushan", "zhouxiang", "guanhaiwei"]  # worst first
    assert by_industry == {"appliances": (5, 4, 2, 1, 1, 1), "bearings": (4, 4, 3, 2, 0, 0)}
    assert laggards == {
        "zhouxiang": [("T1", "not_registered"), ("T2", "not_started"), ("T3", "in_progress")],
        "guanhaiwei": [("T7", "not_started"), ("T6", "returned")],
        "hushan": [("T9", "not_started")],
    }


@pytest.fixture
def bureau(client, app):
    with app_session(app) as s:
        s.add(User(email="pm@jxj.example", password_hash=hash_password(PASSWORD), role="bureau"))
        s.add(User(email="gh@jxj.example", password_hash=hash_password(PASSWORD),
                   role="town_officer", towns=["guanhaiwei"]))  # fmt: skip
        s.commit()
    login(client, "pm@jxj.example", PASSWORD)
    return client


def test_the_page_shows_the_figures_a_chart_and_whom_to_call(bureau, app):
    public_id = campaign_fixture(app)
    page = bureau.get(f"/bureau/campaigns/{public_id}/progress").text
    for kpi, value in (("targets", "9"), ("registered", "8"), ("started", "5"),
                       ("submitted", "3"), ("approved", "1"), ("rate", "33.3%")):  # fmt: skip
        assert re.search(rf'id="kpi-{kpi}">{re.escape(value)}<', page), kpi
    assert "<svg" in page and "填报进度" in page  # the chart, titled for screen readers
    town_row = re.search(r"<th scope=\"row\">观海卫镇</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', town_row) == ["4", "4", "3", "2", "1", "1"]
    assert "50.0%" in town_row
    laggards = page.split('id="laggards"')[1]
    assert "张三" in laggards and "13800000001" in laggards and "已退回修改" in laggards
    assert "T4企业" not in laggards and "T5企业" not in laggards  # they have submitted


def test_laggards_export_as_csv_and_xlsx(bureau, app):
    public_id = campaign_fixture(app)
    response = bureau.get(f"/bureau/campaigns/{public_id}/laggards.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["所在镇（街道）", "统一社会信用代码", "企业名称", "所属行业", "状态"]
    assert [(r[0], r[2], r[4], r[5], r[6]) for r in rows[1:]] == [
        ("观海卫镇", "T7企业", "已注册未开始", "赵六", "13700000007"),
        ("观海卫镇", "T6企业", "已退回修改", "王五", "13900000006"),
        ("浒山街道", "T9企业", "已注册未开始", "", ""),
        ("周巷镇", "T1", "未注册", "张三", "13800000001"),
        ("周巷镇", "T2企业", "已注册未开始", "李四", "0574-1"),
        ("周巷镇", "T3企业", "已开始未提交", "", ""),
    ]  # by town code, then status, then name
    one = bureau.get(f"/bureau/campaigns/{public_id}/laggards.xlsx?town=zhouxiang")
    sheet = list(load_workbook(io.BytesIO(one.data), read_only=True).worksheets[0].iter_rows(
        values_only=True))  # fmt: skip
    assert [r[2] for r in sheet[1:]] == ["T1", "T2企业", "T3企业"]
    assert bureau.get(f"/bureau/campaigns/{public_id}/laggards.pdf").status_code == 404


def test_a_town_officer_sees_and_exports_its_towns_only_audited(client, bureau, app):
    public_id = campaign_fixture(app)
    officer = app.test_client()
    login(officer, "gh@jxj.example", PASSWORD)
    assert 'href="/bureau/campaigns/progress"' in officer.get("/bureau/").text  # in the menu
    assert (
        f"/bureau/campaigns/{public_id}/progress" in officer.get("/bureau/campaigns/progress").text
    )
    page = officer.get(f"/bureau/campaigns/{public_id}/progress").text
    assert re.search(r'id="kpi-targets">4<', page) and re.search(r'id="kpi-rate">50.0%<', page)
    assert "周巷镇" not in page.split("</header>")[1] and "张三" not in page
    rows = list(csv.reader(io.StringIO(
        officer.get(f"/bureau/campaigns/{public_id}/laggards.csv").data.decode("utf-8-sig"))))  # fmt: skip
    assert [r[2] for r in rows[1:]] == ["T7企业", "T6企业"]
    refused = officer.get(f"/bureau/campaigns/{public_id}/laggards.csv?town=zhouxiang")
    assert refused.status_code == 302
    assert "您无权查看该镇街" in officer.get(refused.headers["Location"]).text
    assert officer.get("/bureau/campaigns/no-such-campaign/progress").status_code == 404
    with app_session(app) as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.details)
            .join(User, User.id == AuditEvent.user_id).where(User.email == "gh@jxj.example")
            .order_by(AuditEvent.id)
        ).all()  # fmt: skip
    assert [a for a, _d in events][-3:] == ["view_progress", "export_laggards", "view_progress"]
    assert events[-2][1]["rows"] == 2 and events[-2][1]["towns"] == ["guanhaiwei"]


def test_a_campaign_of_two_questionnaires_needs_both_submitted(app):
    today = date.today()
    with app_session(app) as s:
        c = Campaign(name="两份问卷", questionnaire_ids=["lianghua", "cloud"],
                     starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))  # fmt: skip
        s.add(c)
        both, one = f.enterprise(s, name="两份都交"), f.enterprise(s, name="只交一份")
        target(s, c, "zhouxiang", "appliances", "both", both)
        target(s, c, "zhouxiang", "appliances", "one", one)
        for ent, questionnaires in ((both, ("lianghua", "cloud")), (one, ("lianghua",))):
            for qid in questionnaires:
                a = f.submitted(s, ent, 50, days_ago=2, questionnaire=qid)
                a.campaign_id, a.review_status = c.id, "approved"
        s.commit()
        states = {x.target.name: x.status for x in campaign_progress.target_states(s, c, None)}
    assert states == {"both": "approved", "one": "in_progress"}
