"""Email verification, end to end through the pages with the mail read from the real SMTP sink:
registration stays one page and mails a link; filling works at once, submitting waits for the link;
the link works from any device, twice harmlessly; expired, tampered and foreign links say so; the
link can be sent again (throttled); a mail server that is down loses no registration."""

from __future__ import annotations

import html
import socket
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from assessment.services.models import Assessment, AuditEvent, User
from assessment.services.password_reset import reset_token

from .conftest import app_session
from .helpers import (
    PASSWORD,
    USCC_B,
    login,
    register,
    save_page,
    set_english,
    start,
    typical_answers,
)

EMAIL = "a@example.com"


def text_of(response) -> str:
    """The page as a reader sees its words (entities decoded)."""
    return html.unescape(response.text)


def closed_port() -> int:
    """A loopback port nothing listens on (the mail server is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def verify_path(mail_sink, email=EMAIL) -> str:
    """The path of the verification link in the last message sent to `email`."""
    messages = mail_sink.to(email)
    assert messages, f"no mail to {email}"
    links = [link for link in mail_sink.links(messages[-1]) if "/auth/verify/" in link]
    assert len(links) == 1, mail_sink.text(messages[-1])
    return urlsplit(links[0]).path


def fill_cloud(app, client) -> str:
    """Answer every page of 企业上云; returns the review page's path."""
    cloud = app.extensions["questionnaires"].get("cloud")
    base = start(client, "cloud").rsplit("/", 1)[0]
    for index in range(len(cloud.pages)):
        save_page(client, f"{base}/{index}", cloud, index, typical_answers(cloud))
    return base.rsplit("/page", 1)[0] + "/review"


def status_of(app) -> str:
    with app_session(app) as s:
        return s.scalar(select(Assessment.status).where(Assessment.questionnaire_id == "cloud"))


def verified_at(app, email=EMAIL):
    with app_session(app) as s:
        return s.scalar(select(User.email_verified_at).where(User.email == email))


@pytest.fixture
def newcomer(app, mail_sink):
    """A user who registered through the page and has not opened the mailed link yet."""
    client = app.test_client()
    assert register(client, verified=False).status_code == 302
    return client


def test_registration_mails_a_link_and_submitting_waits_for_it(app, newcomer, mail_sink):
    welcome = text_of(newcomer.get("/my"))
    assert f"我们已向 {EMAIL} 发送了一个链接" in welcome
    (message,) = mail_sink.to(EMAIL)
    assert message["Subject"] == "请确认您的邮箱地址"
    assert "<a href=" in mail_sink.html(message) and EMAIL in mail_sink.text(message)
    assert verified_at(app) is None

    # Filling works before the address is confirmed; submitting does not.
    review = fill_cloud(app, newcomer)
    page = newcomer.get(review)
    assert page.status_code == 200 and 'id="verify-email"' in page.text
    assert "提交前请先确认您的邮箱地址" in text_of(page)
    refused = newcomer.post(review)
    assert refused.status_code == 200 and "尚未提交" in text_of(refused)
    assert status_of(app) == "draft"

    # The link, opened on another device (not signed in), confirms the address.
    phone = app.test_client()
    confirmed = phone.get(verify_path(mail_sink))
    assert confirmed.status_code == 200 and 'id="verified"' in confirmed.text
    assert f"{EMAIL} 已确认" in text_of(confirmed)
    assert verified_at(app) is not None
    assert 'id="verify-email"' not in newcomer.get(review).text
    submitted = newcomer.post(review)
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")
    assert status_of(app) == "submitted"
    with app_session(app) as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "verify_email"))
    assert event.details == {"email": EMAIL}


def test_opening_the_link_again_is_harmless(app, newcomer, mail_sink):
    path = verify_path(mail_sink)
    assert newcomer.get(path).status_code == 200
    first = verified_at(app)
    again = newcomer.get(path)
    assert again.status_code == 200 and "此前已确认" in text_of(again)
    assert verified_at(app) == first
    with app_session(app) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "verify_email")).all()
    assert len(events) == 1


def test_an_expired_link_says_so_and_a_new_one_can_be_sent(make_app, mail_sink):
    app = make_app(EMAIL_VERIFY_MAX_AGE=1)
    client = app.test_client()
    register(client, verified=False)
    path = verify_path(mail_sink)
    time.sleep(2.1)
    expired = client.get(path)
    assert expired.status_code == 400
    assert "此链接已过期" in text_of(expired) and 'href="/account/"' in expired.text
    assert verified_at(app) is None

    card = client.get("/account/")
    assert 'id="verify-notice"' in card.text and "尚未确认" in text_of(card)
    resent = client.post("/auth/resend-verification", data={"next": "/account/"})
    assert resent.status_code == 302 and resent.headers["Location"] == "/account/"
    assert len(mail_sink.to(EMAIL)) == 2
    assert client.get(verify_path(mail_sink)).status_code == 200
    card = client.get("/account/")
    assert 'id="verify-notice"' not in card.text and "已确认" in text_of(card)
    client.post("/auth/resend-verification", data={"next": "/account/"})
    assert "您的邮箱地址已确认" in text_of(client.get("/account/"))
    assert len(mail_sink.to(EMAIL)) == 2  # nothing sent for a confirmed address


def test_tampered_and_foreign_links_are_refused_with_a_message(app, newcomer, mail_sink):
    token = verify_path(mail_sink).rsplit("/", 1)[1]
    with app_session(app) as s:
        user = s.scalar(select(User).where(User.email == EMAIL))
        password_link = reset_token(app.secret_key, user)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-4], "x" * 600, "not-a-token", password_link):
        response = newcomer.get(f"/auth/verify/{bad}")
        assert response.status_code == 400, bad
        assert "此链接无效" in text_of(response)
    assert verified_at(app) is None


def test_a_link_stops_working_when_the_address_changes(app, newcomer, mail_sink):
    path = verify_path(mail_sink)
    with app_session(app) as s:
        s.scalar(select(User).where(User.email == EMAIL)).email = "new@example.com"
        s.commit()
    assert newcomer.get(path).status_code == 400
    assert verified_at(app, "new@example.com") is None


def test_the_review_page_sends_the_link_again_and_comes_back(app, newcomer, mail_sink):
    review = fill_cloud(app, newcomer)
    assert 'action="/auth/resend-verification"' in newcomer.get(review).text
    back = newcomer.post("/auth/resend-verification", data={"next": review})
    assert back.status_code == 302 and back.headers["Location"] == review
    assert len(mail_sink.to(EMAIL)) == 2
    # An address elsewhere is never a target of the redirect.
    away = newcomer.post("/auth/resend-verification", data={"next": "https://evil.example/"})
    assert away.headers["Location"] == "/"


def test_sending_the_link_again_is_throttled_per_user(make_app, mail_sink):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_VERIFY_RESEND="2 per hour")
    client = app.test_client()
    register(client, verified=False)
    codes = [client.post("/auth/resend-verification").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    page = text_of(client.post("/auth/resend-verification"))
    assert "短时间内已发送多封确认邮件" in page and "分钟后可以再试" in page
    assert len(mail_sink.to(EMAIL)) == 3  # the registration's and two more
    # Another user (from the same IP) is not held back.
    other = app.test_client()
    register(other, verified=False, email="b@example.com", uscc=USCC_B)
    assert other.post("/auth/resend-verification").status_code == 302


def test_the_mail_is_in_the_language_of_the_registration(app, mail_sink):
    client = app.test_client()
    set_english(client)
    register(client, verified=False)
    (message,) = mail_sink.to(EMAIL)
    assert message["Subject"] == "Confirm your email address"
    assert "Please confirm that a@example.com is your email address" in mail_sink.text(message)
    assert "7 days" in mail_sink.text(message)


def test_a_mail_server_that_is_down_loses_no_registration(make_app, caplog):
    app = make_app(MAIL_PORT=closed_port())
    client = app.test_client()
    response = register(client, verified=False)
    assert response.status_code == 302 and response.headers["Location"] == "/my"
    page = text_of(client.get("/my"))
    assert "确认邮件暂时无法发送" in page and "账户已创建好" in page
    assert "could not be sent" in caplog.text
    assert login(app.test_client(), EMAIL, PASSWORD).status_code == 302  # the account exists
    # Sending again from the account page says so too, and keeps the user signed in.
    client.post("/auth/resend-verification")
    assert "确认邮件暂时无法发送" in text_of(client.get("/account/"))


def test_the_demo_users_are_verified_so_the_demo_can_submit(app, runner):
    result = runner.invoke(args=["seed-demo", "--enterprises", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with app_session(app) as s:
        demo = s.scalars(select(User).where(User.email.like("demo-%"))).all()
    assert demo and all(u.email_verified_at is not None for u in demo)
