"""The return-and-correct loop in a real browser: an enterprise listed in a running campaign
submits; the bureau finds it in the review queue and returns it with a note; the enterprise reads
the note on its home page and in its mail, corrects a draft pre-filled from the returned one and
submits again; both rounds stay in its history, and the bureau sees both."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from assessment.services.accounts import hash_password
from assessment.services.models import Campaign, CampaignTarget, Enterprise, User
from tests.conftest import app_session
from tests.helpers import PASSWORD, confirm_address, registration, typical_answers

from .conftest import (
    answer_pages,
    click_and_wait,
    page_index,
    register,
    sign_in,
    sign_out,
    start_questionnaire,
)

pytestmark = pytest.mark.browser

NOTE = "设备联网数量大于设备总数，请核对设备台账后重新填写。"


def _campaign_listing(app, uscc: str) -> None:
    """A running cloud campaign with the registered enterprise as its bound target, and a bureau
    analyst to review it."""
    today = date.today()
    with app_session(app) as s:
        ent = s.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
        campaign = Campaign(name="2025 年度上云评测", questionnaire_ids=["cloud"],
                            starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=30))  # fmt: skip
        s.add(campaign)
        s.add(CampaignTarget(campaign=campaign, uscc=ent.uscc, name=ent.name, town=ent.town,
                             industry=ent.industry, invite_code="E2EREVIEW001",
                             enterprise_id=ent.id))  # fmt: skip
        s.add(User(email="reviewer@jxj.example", password_hash=hash_password(PASSWORD),
                   role="bureau"))  # fmt: skip
        s.commit()


def _fill_and_submit(site, answers) -> None:
    cloud = site.questionnaire("cloud")
    answer_pages(site, cloud, answers, len(cloud.pages) - page_index(site))
    assert site.path().endswith("/review"), site.path()
    click_and_wait(site.page, ".submit-block button[type=submit]")
    assert site.path().endswith("/result"), site.path()


def test_returned_with_a_note_corrected_and_submitted_again(open_site, mail_sink):
    site = open_site()
    page = site.page
    data = registration(email="factory@example.com")
    register(site, data)
    confirm_address(site.app, data["email"])
    _campaign_listing(site.app, data["uscc"])

    cloud = site.questionnaire("cloud")
    start_questionnaire(site, "cloud")
    _fill_and_submit(site, typical_answers(cloud))
    sign_out(site)

    # The bureau: the queue, the submission, a return without a note refused, then with one.
    sign_in(site, "reviewer@jxj.example", PASSWORD)
    page.goto("/bureau/review")
    assert data["name"] in page.inner_text("main")
    site.shot("review-01-queue")
    click_and_wait(page, f"main a:has-text('{data['name']}')")
    click_and_wait(page, "#decision [name=send_back]")
    assert "请写明企业需要修改什么。" in page.inner_text("#decision")
    page.fill("#note", NOTE)
    site.shot("review-02-return-with-note")
    click_and_wait(page, "#decision [name=send_back]")
    assert "已连同您的意见退回" in page.inner_text("main")
    sign_out(site)

    # The enterprise: the note in its mail and on its home page; correct; submit again.
    returned = [m for m in mail_sink.to(data["email"]) if NOTE in mail_sink.text(m)]
    assert len(returned) == 1
    sign_in(site, data["email"], PASSWORD)
    page.goto("/my")
    assert NOTE in page.inner_text("main")
    site.shot("review-03-home-with-note")
    click_and_wait(page, "main button:has-text('去修改')")
    assert page_index(site) == 0
    first = next(q for q in cloud.pages[0].questions if q.type in ("single", "ladder"))
    chosen = str(typical_answers(cloud)[first.id])
    checked = page.locator(f"[id='q-{first.id}'] input[type=radio]:checked")
    assert checked.get_attribute("value") == chosen  # pre-filled from the returned one
    better = typical_answers(cloud, "best")
    _fill_and_submit(site, better)
    page.goto("/my")
    main = page.inner_text("main")
    assert NOTE not in main and "已退回修改" in main and "待审核" in main  # both rounds kept
    site.shot("review-04-history-with-both")
    sign_out(site)

    # The bureau sees the correction waiting, with the returned round and its note beside it.
    sign_in(site, "reviewer@jxj.example", PASSWORD)
    page.goto("/bureau/review")
    click_and_wait(page, f"main a:has-text('{data['name']}')")
    assert NOTE in page.inner_text("main") and "本次提交的每一轮" in page.inner_text("main")
    assert site.console_errors == []
