"""Colleagues in a real browser: the owner invites by email, the colleague opens the link from the
mail (read from the real SMTP sink), chooses a name and password, and saves a survey page; the
owner then sees who saved it."""

from __future__ import annotations

import re

import pytest

from tests.helpers import PASSWORD, registration, typical_answers

from .conftest import (
    answer_visible_questions,
    assert_no_connection_left,
    click_and_wait,
    page_index,
    register,
    save_and_continue,
    sign_in,
    sign_out,
    start_questionnaire,
)

pytestmark = pytest.mark.browser

OWNER = "owner@example.com"
COLLEAGUE = "zhang.san@example.com"
COLLEAGUE_PASSWORD = "Zhang-San-Workshop-7"


def _invitation_link(mail_sink) -> str:
    links = [
        link for m in mail_sink.to(COLLEAGUE) for link in mail_sink.links(m) if "/invite/" in link
    ]
    assert len(links) == 1, [mail_sink.text(m) for m in mail_sink.to(COLLEAGUE)]
    return links[0]


def test_owner_invites_a_colleague_who_joins_and_saves_a_survey_page(open_site, mail_sink):
    site = open_site()
    page = site.page
    data = registration(email=OWNER)
    register(site, data)
    assert site.path() == "/my", page.locator("main").inner_text()

    # The owner finds the colleagues page from the account page and sends an invitation.
    page.goto("/account/")
    click_and_wait(page, "main a[href$='/account/team']")
    page.fill("#email", COLLEAGUE)
    click_and_wait(page, "main form[action$='/account/team/invite'] button[type=submit]")
    assert COLLEAGUE in page.inner_text("main .notice-success")
    assert COLLEAGUE in page.inner_text("#invitation-table")
    site.shot("team-owner")
    sign_out(site)

    # The colleague opens the link from the email, chooses a name and password, and is signed in.
    link = _invitation_link(mail_sink)
    assert link.startswith(site.base_url)
    page.goto(link)
    assert data["name"] in page.inner_text("main h1")
    assert page.inner_text("#invited-email") == COLLEAGUE
    site.shot("invite-accept")
    page.fill("#display_name", "张三")
    page.fill("#password", COLLEAGUE_PASSWORD)
    page.fill("#password2", COLLEAGUE_PASSWORD)
    click_and_wait(page, "main form button[type=submit]")
    assert site.path() == "/my", page.locator("main").inner_text()
    assert page.inner_text("main h1") == data["name"]

    # 张三 fills and saves the first page of 企业上云; the page says who saved it.
    questionnaire = site.questionnaire("cloud")
    start_questionnaire(site, "cloud")
    assert page_index(site) == 0
    answer_visible_questions(site, questionnaire, typical_answers(questionnaire))
    save_and_continue(site)
    assert page_index(site) == 1
    assert re.search(
        r"最后由 张三 于 \d{4}-\d\d-\d\d \d\d:\d\d 保存", page.inner_text("#last-saved")
    )
    sign_out(site)

    # The owner sees the colleague's work on "My assessments" and on the page.
    sign_in(site, OWNER, PASSWORD)
    page.goto("/my")
    assert "张三" in page.inner_text("main")
    start_questionnaire(site, "cloud")
    assert "张三" in page.inner_text("#last-saved")
    page.goto("/account/team")
    assert "张三" in page.inner_text("#member-table")
    assert site.console_errors == []
    assert_no_connection_left(site, "inviting a colleague")
