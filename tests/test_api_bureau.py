"""/api/v1/bureau: the list with cursor pagination, one enterprise's history, the dashboard and the
CSV export, within the token owner's scope (a town officer sees its towns only)."""

from __future__ import annotations

from datetime import date, timedelta

from assessment.core.uscc import make_uscc
from assessment.services.accounts import hash_password
from assessment.services.cache import bump_generation
from assessment.services.models import Campaign, CampaignTarget, User
from tests import factories as f
from tests.conftest import app_session
from tests.helpers import login, register
from tests.test_api import bearer, make_token

PASSWORD = "Bureau-Api-2025"


def _city(app) -> dict:
    """Three assessed enterprises (two in zhouxiang, one in hushan), a bureau analyst and the
    town officer of zhouxiang."""
    with app_session(app) as s:
        ids = {}
        for n, (town, total) in enumerate((("zhouxiang", 30), ("zhouxiang", 50), ("hushan", 70))):
            ent = f.enterprise(s, town=town)
            f.submitted(s, ent, total, {"foundation": total}, days_ago=20 + n)
            ids[town + str(n)] = ent.public_id
        s.add(User(email="bureau@jxj.example", password_hash=hash_password(PASSWORD),
                   role="bureau"))  # fmt: skip
        s.add(User(email="officer@jxj.example", password_hash=hash_password(PASSWORD),
                   role="town_officer", towns=["zhouxiang"]))  # fmt: skip
        bump_generation(s)
        s.commit()
    return ids


def _token(app, email, scopes=("bureau:read", "bureau:export")) -> str:
    client = app.test_client()
    login(client, email, PASSWORD)
    return make_token(client, scopes=scopes)


def _all(api, token, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {"q": "lianghua@2025.1", "limit": 1, **params} | (
            {"cursor": cursor} if cursor else {}
        )
        page = api.get("/api/v1/bureau/enterprises", query_string=query, headers=bearer(token))
        assert page.status_code == 200, page.json
        items += page.json["items"]
        cursor = page.json["next_cursor"]
        if cursor is None:
            return items


def test_list_pages_by_cursor_and_officer_sees_its_towns_only(app):
    ids = _city(app)
    api = app.test_client()
    bureau, officer = _token(app, "bureau@jxj.example"), _token(app, "officer@jxj.example")
    everyone = _all(api, bureau)
    assert [i["total"] for i in everyone] == [70, 50, 30]
    mine = _all(api, officer)
    assert {i["enterprise"]["town"] for i in mine} == {"zhouxiang"} and len(mine) == 2
    other = api.get(f"/api/v1/bureau/enterprises/{ids['hushan2']}", headers=bearer(officer))
    assert other.status_code == 404
    history = api.get(f"/api/v1/bureau/enterprises/{ids['hushan2']}", headers=bearer(bureau))
    assert history.status_code == 200 and history.json["assessments"][0]["total"] == 70
    bad = api.get("/api/v1/bureau/enterprises?cursor=nope", headers=bearer(bureau, "en"))
    assert bad.status_code == 400 and "cursor" in bad.json["errors"]


def test_dashboard_and_export_within_scope(app):
    _city(app)
    api = app.test_client()
    officer = _token(app, "officer@jxj.example")
    figures = api.get("/api/v1/bureau/dashboard?q=lianghua@2025.1", headers=bearer(officer)).json
    assert figures["participants"] == 2 and figures["filters"]["towns"] == ["zhouxiang"]
    csv = api.get("/api/v1/bureau/export.csv?q=lianghua@2025.1", headers=bearer(officer))
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    assert csv.data.count(b"\n") >= 3  # a header and the two zhouxiang rows
    reader = _token(app, "bureau@jxj.example", scopes=("bureau:read",))
    assert api.get("/api/v1/bureau/export.csv", headers=bearer(reader)).status_code == 403


def test_enterprise_token_cannot_read_the_bureau(client, app):
    _city(app)
    register(client)
    token = make_token(client)
    api = app.test_client()
    for path in ("/api/v1/bureau/enterprises", "/api/v1/bureau/dashboard"):
        response = api.get(path, headers=bearer(token))
        assert response.status_code == 403 and "items" not in response.text


def test_campaign_progress_within_scope(app):
    _city(app)
    with app_session(app) as s:
        today = date.today()
        campaign = Campaign(name="API 任务", questionnaire_ids=["lianghua"],
                            starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5))  # fmt: skip
        s.add(campaign)
        for n, town in enumerate(("zhouxiang", "zhouxiang", "hushan")):
            s.add(CampaignTarget(campaign=campaign, uscc=make_uscc("330282", f"C{n:07d}"),
                                 name=f"目标{n}", town=town, industry="appliances",
                                 invite_code=f"APITEST0000{n}"))  # fmt: skip
        s.commit()
        public_id = campaign.public_id
    api = app.test_client()
    url = f"/api/v1/bureau/campaigns/{public_id}/progress"
    bureau, officer = _token(app, "bureau@jxj.example"), _token(app, "officer@jxj.example")
    assert api.get(url, headers=bearer(bureau)).json["total"]["targets"] == 3
    mine = api.get(url, headers=bearer(officer)).json
    assert mine["total"]["targets"] == 2 and [r["key"] for r in mine["by_town"]] == ["zhouxiang"]
    assert api.get("/api/v1/bureau/campaigns/nope/progress",
                   headers=bearer(bureau)).status_code == 404  # fmt: skip
