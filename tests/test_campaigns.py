"""Campaigns: the bureau creates and edits them (an end before the start is refused at the field,
nothing typed lost), sees where each target stands, and the demo data has one to show."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select, update

from assessment.services import campaigns
from assessment.services.demo import DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD
from assessment.services.models import Assessment, Campaign, CampaignTarget, User

from .campaign_fixtures import (
    HEADER,
    bureau_client,
    code,
    import_file,
    make_campaign,
    row,
    targets,
    xlsx,
)
from .conftest import app_session
from .helpers import login, register, save_page, start, typical_answers


def _form(**changes) -> dict:
    data = {"name": "2025年度规上工业企业数字化水平评测", "questionnaires": ["lianghua", "miit"],
            "starts_on": "2025-03-01", "ends_on": "2025-06-30",
            "description": "请各企业在6月30日前完成。\n有问题请联系镇街经发办。"}  # fmt: skip
    data.update(changes)
    return data


def test_the_bureau_creates_lists_and_edits_a_campaign(app):
    client = bureau_client(app)
    response = client.post("/bureau/campaigns/new", data=_form())
    assert response.status_code == 302
    with app_session(app) as s:
        campaign = s.scalar(select(Campaign))
        assert campaign.questionnaire_ids == ["lianghua", "miit"]
        assert (campaign.starts_on, campaign.ends_on) == (date(2025, 3, 1), date(2025, 6, 30))
        public_id = campaign.public_id
    listing = client.get("/bureau/campaigns/")
    assert "2025年度规上工业企业数字化水平评测" in listing.text and "已结束" in listing.text
    edit = client.get(f"/bureau/campaigns/{public_id}/edit")
    assert 'value="2025-06-30"' in edit.text and "请各企业在6月30日前完成。" in edit.text
    changed = client.post(f"/bureau/campaigns/{public_id}/edit",
                          data=_form(name="改名后的任务", ends_on="2025/07/31"))  # fmt: skip
    assert changed.status_code == 302
    with app_session(app) as s:
        campaign = s.scalar(select(Campaign))
        assert campaign.name == "改名后的任务" and campaign.ends_on == date(2025, 7, 31)
    assert "填报任务" in client.get("/bureau/campaigns/").text  # the navigation's link


def test_an_end_before_the_start_is_refused_at_the_field_keeping_what_was_typed(app):
    client = bureau_client(app)
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.post("/bureau/campaigns/new", data=_form(ends_on="2025-02-28"))
    assert response.status_code == 200
    error = re.search(r'id="ends_on-error">([^<]*)<', response.text)
    assert error and "The end date must not be before the start date." in error.group(1)
    assert 'value="2025年度规上工业企业数字化水平评测"' in response.text
    assert 'value="2025-02-28"' in response.text
    bad_date = client.post("/bureau/campaigns/new", data=_form(starts_on="30.06.2025"))
    assert "Enter a date as YYYY-MM-DD" in bad_date.text
    none = client.post("/bureau/campaigns/new", data=_form(questionnaires=[]))
    assert "Choose at least one questionnaire." in none.text
    with app_session(app) as s:
        assert s.scalar(select(func.count(Campaign.id))) == 0


def test_only_the_bureau_manages_campaigns(app, client):
    public_id = make_campaign(app)
    register(client)
    for path in ("/bureau/campaigns/", f"/bureau/campaigns/{public_id}",
                 "/bureau/campaigns/template.xlsx"):  # fmt: skip
        assert client.get(path).status_code == 403
    assert client.post("/bureau/campaigns/new", data=_form()).status_code == 403
    assert bureau_client(app).get("/bureau/campaigns/not-a-campaign").status_code == 404


def test_each_target_stands_where_its_enterprise_is(app, registry):
    client, public_id = bureau_client(app), make_campaign(app, questionnaire_ids=("cloud",))
    import_file(client, public_id, xlsx([HEADER] + [row(n) for n in (1, 2, 3, 4)]))
    started, submitted, registered = app.test_client(), app.test_client(), app.test_client()
    register(started, uscc=code(2), email="s2@example.com")
    start(started, "cloud")
    register(registered, uscc=code(3), email="s3@example.com")
    register(submitted, uscc=code(4), email="s4@example.com")
    cloud = registry.get("cloud")
    url = start(submitted, "cloud")
    base = url.rsplit("/", 1)[0]
    for index in range(len(cloud.pages)):
        save_page(submitted, f"{base}/{index}", cloud, index, typical_answers(cloud))
    with app_session(app) as s:  # the address confirmed, as a submit requires
        s.execute(update(User).values(email_verified_at=datetime(2025, 1, 1)))
        s.commit()
    assert submitted.post(base.rsplit("/page", 1)[0] + "/review").status_code == 302
    with app_session(app) as s:
        campaign = s.scalar(select(Campaign))
        states = campaigns.target_states(s, campaign)
        by_code = {t.uscc: states[t.id] for t in s.scalars(select(CampaignTarget))}
    assert by_code == {code(1): "unregistered", code(2): "started", code(3): "registered",
                       code(4): "submitted"}  # fmt: skip
    page = client.get(f"/bureau/campaigns/{public_id}")
    for kpi, number in (("targets", 4), ("unregistered", 1), ("registered", 1), ("started", 1),
                        ("submitted", 1)):  # fmt: skip
        assert re.search(rf'id="kpi-{kpi}">{number}<', page.text), kpi
    found = client.get(f"/bureau/campaigns/{public_id}?q=3号")
    assert "慈溪市测试3号电器有限公司" in found.text and "慈溪市测试1号" not in found.text


def test_seed_demo_adds_a_running_campaign_at_every_step(app, runner):
    result = runner.invoke(args=["seed-demo", "--enterprises", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    app.config["DEMO_MODE"] = True
    with app_session(app) as s:
        campaign = s.scalar(select(Campaign))
        assert campaign.is_demo and campaign.starts_on <= date.today() <= campaign.ends_on
        counts = campaigns.state_counts(campaigns.target_states(s, campaign))
        # Tagged with the campaign: the submissions since it started (a firm may have two); a
        # returned one waits for its correction, so its target has not submitted.
        tagged = s.scalar(select(func.count(func.distinct(Assessment.enterprise_id))).where(
            Assessment.campaign_id == campaign.id,
            Assessment.review_status.is_distinct_from("returned")))  # fmt: skip
        public_id = campaign.public_id
    assert all(counts[state] > 0 for state in campaigns.STATES), counts
    assert tagged == counts["submitted"]
    client = bureau_client(app)
    assert client.get(f"/bureau/campaigns/{public_id}").status_code == 200
    demo = app.test_client()
    login(demo, DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD)
    assert campaign.name in demo.get("/my").text
    app.config["DEMO_MODE"] = False
    assert client.get(f"/bureau/campaigns/{public_id}").status_code == 404
    assert len(targets(app, public_id)) > 0
