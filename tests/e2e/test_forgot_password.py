"""Forgot password in a real browser: from the sign-in page's link, ask for a reset, read the link
from the mail (the real SMTP sink), choose a new password, sign in with it; the link then refuses a
second use, and the old password no longer works."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, registration

from .conftest import click_and_wait, register, serious_violations, sign_in, sign_out

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Hangzhou-Bay-Bridge-36"


def test_a_forgotten_password_is_reset_by_mail_and_the_new_one_signs_in(open_site, mail_sink):
    site = open_site()
    page = site.page
    data = registration(email="manager@example.com")
    register(site, data)
    sign_out(site)
    mail_sink.clear()

    page.goto("/auth/login")
    click_and_wait(page, "#forgot-link")
    assert site.path() == "/auth/forgot"
    page.fill("#email", data["email"])
    site.shot("forgot-01-ask")
    violations = serious_violations(site, "forgot")
    click_and_wait(page, "main form button[type=submit]")
    assert page.locator("#forgot-sent").count() == 1, page.locator("main").inner_text()
    site.shot("forgot-02-sent")

    (message,) = mail_sink.to(data["email"])
    (link,) = [url for url in mail_sink.links(message) if "/auth/reset/" in url]
    page.goto(link)
    assert data["email"] in page.inner_text("main")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password2", NEW_PASSWORD)
    site.shot("forgot-03-new-password")
    violations += serious_violations(site, "reset")
    click_and_wait(page, "main form button[type=submit]")
    assert site.path() == "/auth/login"
    assert "新密码已设置" in page.inner_text("main")

    sign_in(site, data["email"], NEW_PASSWORD)
    assert site.path() == "/my"
    sign_out(site)

    # The link worked once; the old password is gone.
    page.goto(link)
    assert "此链接已被使用过" in page.inner_text("#link-problem")
    site.shot("forgot-04-link-used")
    page.goto("/auth/login")
    page.fill("#email", data["email"])
    page.fill("#password", PASSWORD)
    click_and_wait(page, "main form button[type=submit]")
    assert page.locator("#login-error").count() == 1

    assert violations == [], "\n".join(violations)
    # The used link's page comes with status 400, which the browser logs; nothing else may fail.
    others = [e for e in site.console_errors if "status of 400" not in e or "/auth/reset/" not in e]
    assert not others, others
