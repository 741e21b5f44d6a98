"""An enterprise in a real browser: register → 两化融合 with a break (sign out, sign in, resume) →
submit → result with radar → PDF report → 企业上云 → the result page in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessment.core.scoring import score
from tests.helpers import PASSWORD, registration, typical_answers

from .conftest import (
    answer_pages,
    assert_no_connection_left,
    click_and_wait,
    page_index,
    register,
    sign_in,
    sign_out,
    start_questionnaire,
)

pytestmark = pytest.mark.browser

RESULT_RE = re.compile(r"^/a/([^/]+)/result$")


def _review_and_submit(site, name: str) -> str:
    """On the review page: nothing missing, submit; returns the assessment's public id."""
    page = site.page
    assert site.path().endswith("/review"), site.path()
    assert page.locator("main .notice-error").count() == 0, page.locator("main").inner_text()
    site.shot(f"{name}-review")
    click_and_wait(page, ".submit-block button[type=submit]")
    match = RESULT_RE.match(site.path())
    assert match, f"not on a result page after submit: {site.path()}"
    return match.group(1)


def _check_score(site, questionnaire, answers) -> None:
    expected = score(questionnaire, answers)
    shown = site.page.inner_text("#total-score")
    assert shown.startswith(f"{expected.total:.1f}"), (shown, expected.total)
    stage = questionnaire.level(expected.stage)
    assert site.page.inner_text("#stage-name").strip() == stage.label.zh


def test_enterprise_registers_fills_both_questionnaires_and_downloads_the_report(
    open_site, artifacts, mail_sink
):
    # Enough submitted peers (demo data, DEMO_MODE on) for the result page to draw its radar.
    site = open_site(demo=20)
    page = site.page
    data = registration(email="factory@example.com")

    register(site, data)
    assert site.path() == "/my", page.locator("main").inner_text()
    assert page.inner_text("main h1") == data["name"]
    site.shot("enterprise-01-my-assessments")

    # The address is confirmed through the mailed link before the first submit.
    (welcome,) = mail_sink.to(data["email"])
    page.goto(mail_sink.links(welcome)[0])
    assert page.locator("#verified").count() == 1, page.locator("main").inner_text()

    # 两化融合: two pages, then a break.
    lianghua = site.questionnaire("lianghua")
    answers = typical_answers(lianghua)
    start_questionnaire(site, "lianghua")
    assert page_index(site) == 0
    site.shot("enterprise-02-survey-page")
    answer_pages(site, lianghua, answers, 2)
    assert page_index(site) == 2
    page_two_url = site.path()

    sign_out(site)
    assert page.locator("header a[href$='/auth/login']").count() == 1
    sign_in(site, data["email"], PASSWORD)
    assert site.path() == "/my"
    draft_note = page.locator("main form[action$='/my/start/lianghua'] p.muted").inner_text()
    assert f"第 3 部分（共 {len(lianghua.pages)} 部分）" in draft_note, draft_note
    site.shot("enterprise-03-resume")
    start_questionnaire(site, "lianghua")
    assert site.path() == page_two_url, "resume did not land on the saved page"
    percent = int(page.get_attribute(".progress[role=progressbar]", "aria-valuenow"))
    assert percent > 0, "the answers of the first two pages were lost"

    answer_pages(site, lianghua, answers, len(lianghua.pages) - 2)
    public_id = _review_and_submit(site, "enterprise-04-lianghua")

    # The result: score, stage and the radar chart.
    assert lianghua.title.zh in page.inner_text("main h1")
    _check_score(site, lianghua, answers)
    radar = page.locator("#peers figure svg[role=img]").first
    assert radar.is_visible()
    assert radar.locator("polygon").count() >= 2, "the radar has no series"
    assert radar.get_attribute("aria-label")
    site.shot("enterprise-05-result-lianghua")

    # The PDF diagnosis report.
    link = page.get_by_role("link", name="下载 PDF 诊断报告")
    assert link.get_attribute("href") == f"/a/{public_id}/report.pdf"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF"), body[:40]
    assert download.suggested_filename.endswith(".pdf")
    download.save_as(artifacts / "enterprise-report-lianghua.pdf")

    # 企业上云, all pages in one go.
    cloud = site.questionnaire("cloud")
    cloud_answers = typical_answers(cloud, "best")
    page.goto("/my")
    start_questionnaire(site, "cloud")
    assert page_index(site) == 0
    answer_pages(site, cloud, cloud_answers, len(cloud.pages))
    _review_and_submit(site, "enterprise-06-cloud")
    assert cloud.title.zh in page.inner_text("main h1")
    _check_score(site, cloud, cloud_answers)
    site.shot("enterprise-07-result-cloud")

    # Both results are listed on "My assessments".
    page.goto("/my")
    assert page.locator("main table a[href$='/result']").count() == 2

    # One click to English and back.
    page.goto(f"/a/{public_id}/result")
    click_and_wait(page, "header button[value=en]")
    assert site.path() == f"/a/{public_id}/result"
    assert page.get_attribute("html", "lang") == "en"
    heading = page.inner_text("main h1")
    assert heading.startswith("Your result:"), heading
    assert lianghua.title.en in heading
    assert page.get_by_role("link", name="Download the PDF report").count() == 1
    site.shot("enterprise-08-result-english")
    click_and_wait(page, "header button[value=zh]")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert lianghua.title.zh in page.inner_text("main h1")

    assert not site.console_errors, site.console_errors
    assert_no_connection_left(site, "the enterprise journey")
