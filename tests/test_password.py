"""Passwords, end to end through the pages with the mail read from the real SMTP sink: forgot
password (a link that works once, for a while, for that password only), no account enumeration,
throttles per address and per IP, changing one's own password, admin resets; every change ends the
other sessions, is audited and is told to the user by mail; a mail that cannot be sent is said and
loses nothing."""

from __future__ import annotations

import html
import re
import socket
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from assessment.services.accounts import hash_password
from assessment.services.email_verification import verification_token
from assessment.services.models import AuditEvent, User

from .conftest import app_session
from .helpers import PASSWORD, login, register, set_english

EMAIL = "a@example.com"
NEW_PASSWORD = "Ningbo-Harbour-2031"
FORGOT_SENT = 'id="forgot-sent"'
CSRF_VALUE = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')


def text_of(response) -> str:
    """The page as a reader sees its words (entities decoded)."""
    return html.unescape(response.text)


def field_error(page: str, field_id: str) -> str:
    """The error message rendered next to a field (empty when none)."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def closed_port() -> int:
    """A loopback port nothing listens on (the mail server is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def same_page(page: str, email: str) -> str:
    """A page without what always differs: the address typed and the (time-stamped) CSRF token."""
    return CSRF_VALUE.sub("", page.replace(email, "ADDRESS"))


def client_at(app, ip: str):
    """A test client whose requests come from another IP address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def forgot(client, email=EMAIL):
    return client.post("/auth/forgot", data={"email": email})


def reset_path(mail_sink, email=EMAIL) -> str:
    """The path of the reset link in the last message sent to `email`."""
    messages = mail_sink.to(email)
    assert messages, f"no mail to {email}"
    links = [link for link in mail_sink.links(messages[-1]) if "/auth/reset/" in link]
    assert len(links) == 1, mail_sink.text(messages[-1])
    return urlsplit(links[0]).path


def set_new(client, path, password=NEW_PASSWORD, password2=None):
    return client.post(path, data={"password": password, "password2": password2 or password})


def change(client, current=PASSWORD, new=NEW_PASSWORD, new2=None):
    data = {"current_password": current, "password": new, "password2": new2 or new}
    return client.post("/account/password", data=data)


def signed_in(client) -> bool:
    """True when the client's session still opens a signed-in page."""
    return client.get("/account/").status_code == 200


def actions(app, action) -> list[AuditEvent]:
    with app_session(app) as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def owner(app):
    """A registered enterprise user, signed in on this client."""
    client = app.test_client()
    assert register(client).status_code == 302
    return client


# --- forgot password ------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_mailed_link_once(app, owner, mail_sink):
    other_device = app.test_client()
    assert login(other_device).status_code == 302
    mail_sink.clear()
    anonymous = app.test_client()
    login_page = anonymous.get("/auth/login")
    assert 'href="/auth/forgot"' in login_page.text
    assert anonymous.get("/auth/forgot").status_code == 200

    sent = forgot(anonymous)
    assert sent.status_code == 200 and FORGOT_SENT in sent.text
    (message,) = mail_sink.to(EMAIL)
    assert message["Subject"] == "重置您的密码"
    assert "重置" in mail_sink.text(message) and "<a href=" in mail_sink.html(message)
    path = reset_path(mail_sink)

    form = anonymous.get(path)
    assert form.status_code == 200 and EMAIL in form.text
    assert form.headers["Cache-Control"] == "no-store"
    done = set_new(anonymous, path)
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert "新密码已设置" in text_of(anonymous.get("/auth/login"))

    # The new password works, the old one does not, and every session of the account ended.
    assert not signed_in(owner) and not signed_in(other_device)
    assert login(anonymous).status_code == 200
    assert login(anonymous, password=NEW_PASSWORD).status_code == 302
    notice = mail_sink.to(EMAIL)[-1]
    assert notice["Subject"] == "您的密码已修改"
    assert "/auth/forgot" in mail_sink.text(notice)

    # The link worked once.
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "此链接已被使用过" in text_of(again) and 'href="/auth/forgot"' in again.text
    assert set_new(app.test_client(), path, "Another-Harbour-2032").status_code == 400
    (event,) = actions(app, "reset_password_by_email")
    assert event.details == {"email": EMAIL} and event.ip == "127.0.0.1"


def test_the_new_password_is_checked_and_nothing_changes_until_it_is_accepted(app, mail_sink):
    register(app.test_client())
    client = app.test_client()
    set_english(client)
    forgot(client)
    path = reset_path(mail_sink)
    for password, password2, expected in (
        ("short", None, "Use at least 10 characters."),
        ("password123", None, "This password is too common"),
        (EMAIL, None, "This password is too common"),
        (NEW_PASSWORD, "Something-else-2030", "The two passwords differ."),
        ("", None, "This field is required."),
    ):
        page = set_new(client, path, password, password2)
        assert page.status_code == 200
        where = "password2" if password2 else "password"
        assert expected in field_error(page.text, where), (password, page.text)
    assert login(app.test_client()).status_code == 302  # the old password still works
    assert set_new(client, path).status_code == 302  # and the link still does


def test_a_reset_link_dies_when_the_password_changes_another_way(app, owner, mail_sink):
    forgot(app.test_client())
    path = reset_path(mail_sink)
    assert change(owner).status_code == 302
    page = app.test_client().get(path)
    assert page.status_code == 400 and "此链接已被使用过" in text_of(page)


def test_an_older_link_dies_when_a_newer_one_is_used(app, mail_sink):
    register(app.test_client())
    client = app.test_client()
    forgot(client)
    first = reset_path(mail_sink)
    time.sleep(1.1)  # a token made a second later differs
    forgot(client)
    second = reset_path(mail_sink)
    assert first != second
    assert set_new(client, second).status_code == 302
    assert client.get(first).status_code == 400


def test_an_expired_reset_link_says_so_and_offers_a_new_one(make_app, mail_sink):
    app = make_app(PASSWORD_RESET_MAX_AGE=1)
    register(app.test_client())
    client = app.test_client()
    forgot(client)
    path = reset_path(mail_sink)
    assert "1 分钟" in mail_sink.text(mail_sink.to(EMAIL)[-1])
    time.sleep(2.1)
    for response in (client.get(path), set_new(client, path)):
        assert response.status_code == 400
        assert "此链接已过期" in text_of(response) and 'href="/auth/forgot"' in response.text
    assert login(app.test_client()).status_code == 302  # nothing changed


def test_tampered_and_foreign_links_are_refused_with_a_message(app, mail_sink):
    register(app.test_client())
    client = app.test_client()
    forgot(client)
    token = reset_path(mail_sink).rsplit("/", 1)[1]
    with app_session(app) as s:
        user = s.scalar(select(User).where(User.email == EMAIL))
        verify_token = verification_token(app.secret_key, user)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-5], token + "x", "x" * 600, "not-a-token", verify_token):
        response = client.get(f"/auth/reset/{bad}")
        assert response.status_code == 400, bad
        assert "此链接无效" in text_of(response) and 'href="/auth/forgot"' in response.text
        assert set_new(client, f"/auth/reset/{bad}").status_code == 400
    assert client.get("/auth/reset/%00").status_code == 400  # refused before the view
    assert login(app.test_client()).status_code == 302  # nothing changed


def test_a_deactivated_account_gets_no_reset_link_and_its_links_stop(app, mail_sink):
    register(app.test_client())
    client = app.test_client()
    forgot(client)
    path = reset_path(mail_sink)
    with app_session(app) as s:
        s.scalar(select(User).where(User.email == EMAIL)).active = False
        s.commit()
    mail_sink.clear()
    assert FORGOT_SENT in forgot(client).text and mail_sink.to(EMAIL) == []
    assert client.get(path).status_code == 400


def test_resetting_by_mail_confirms_an_unconfirmed_address(app, mail_sink):
    register(app.test_client(), verified=False)
    client = app.test_client()
    forgot(client)
    set_new(client, reset_path(mail_sink))
    with app_session(app) as s:
        assert s.scalar(select(User).where(User.email == EMAIL)).email_verified_at is not None


def test_a_reset_signs_out_whoever_was_signed_in_on_that_browser(app, owner, mail_sink):
    forgot(owner)
    assert set_new(owner, reset_path(mail_sink)).status_code == 302
    assert not signed_in(owner)


def test_the_reset_mail_is_in_the_language_of_the_page(app, mail_sink):
    register(app.test_client())
    mail_sink.clear()
    client = app.test_client()
    set_english(client)
    page = forgot(client)
    assert "a link for choosing a new password is on its way" in text_of(page)
    (message,) = mail_sink.to(EMAIL)
    assert message["Subject"] == "Reset your password"
    assert "Someone, probably you, asked to reset the password" in mail_sink.text(message)
    assert 'lang="en"' in mail_sink.html(message)


# --- no account enumeration -----------------------------------------------------------------------


def test_unknown_and_known_addresses_get_the_same_answer_and_only_one_gets_mail(
    make_app, mail_sink
):
    app = make_app(PASSWORD_RESET_MIN_SECONDS=0.3)
    register(app.test_client())
    client = app.test_client()
    mail_sink.clear()
    pages, seconds = {}, {}
    for email in (EMAIL, "nobody@example.com"):
        started = time.monotonic()
        response = forgot(client, email)
        seconds[email] = time.monotonic() - started
        assert response.status_code == 200
        pages[email] = same_page(response.text, email)
    assert pages[EMAIL] == pages["nobody@example.com"]
    assert len(mail_sink.to(EMAIL)) == 1 and mail_sink.to("nobody@example.com") == []
    # Both answers wait for the floor, so the mail sent for one does not show in the timing.
    assert min(seconds.values()) >= 0.3
    assert abs(seconds[EMAIL] - seconds["nobody@example.com"]) < 0.2, seconds


def test_a_mail_server_that_is_down_does_not_tell_who_has_an_account(make_app, caplog):
    app = make_app(MAIL_PORT=closed_port(), PASSWORD_RESET_MIN_SECONDS=0)
    with app_session(app) as s:
        s.add(User(email=EMAIL, password_hash=hash_password(PASSWORD), role="bureau"))
        s.commit()
    client = app.test_client()
    known, unknown = forgot(client), forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known.text, EMAIL) == same_page(unknown.text, "nobody@example.com")
    assert "could not be sent" in caplog.text  # logged for the operators


# --- throttles --------------------------------------------------------------------------------------


def test_reset_requests_are_throttled_per_address(make_app, mail_sink):
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_RESET_ADDRESS="2 per hour", RATELIMIT_RESET_IP="50/hour"
    )
    register(app.test_client())
    mail_sink.clear()
    from_here, from_elsewhere = app.test_client(), client_at(app, "10.1.2.3")
    assert [forgot(from_here).status_code for _ in range(2)] == [200, 200]
    refused = forgot(from_elsewhere)
    assert refused.status_code == 429
    page = text_of(refused)
    assert "重置密码申请过多" in page and "分钟后可以再试" in page
    assert len(mail_sink.to(EMAIL)) == 2  # the refused request sent nothing
    assert forgot(from_here, "other@example.com").status_code == 200  # other addresses go on
    assert forgot(from_here, " A@Example.com ").status_code == 429  # however it is typed
    assert from_here.get("/auth/forgot").status_code == 200  # reading the form is not limited


def test_reset_requests_are_throttled_per_ip(make_app, mail_sink):
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_RESET_IP="3 per hour", RATELIMIT_RESET_ADDRESS="50/hour"
    )
    client = app.test_client()
    codes = [forgot(client, f"n{n}@example.com").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    other_network = client_at(app, "10.9.8.7")
    assert forgot(other_network, "n9@example.com").status_code == 200
    # Choosing the new password is throttled per IP too.
    assert [set_new(client, "/auth/reset/x").status_code for _ in range(3)] == [400] * 3
    assert set_new(client, "/auth/reset/x").status_code == 429


# --- changing one's own password ------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, owner, mail_sink):
    other_device = app.test_client()
    assert login(other_device).status_code == 302
    mail_sink.clear()
    account = owner.get("/account/")
    assert 'href="/account/password"' in account.text
    assert owner.get("/account/password").status_code == 200

    done = change(owner)
    assert done.status_code == 302 and done.headers["Location"] == "/account/"
    assert "密码已修改" in text_of(owner.get("/account/"))
    assert signed_in(owner) and owner.get("/my").status_code == 200
    assert not signed_in(other_device)
    assert other_device.get("/my").headers["Location"].startswith("/auth/login")
    assert login(app.test_client()).status_code == 200
    assert login(app.test_client(), password=NEW_PASSWORD).status_code == 302
    (notice,) = mail_sink.to(EMAIL)
    assert notice["Subject"] == "您的密码已修改" and "您的账户" in mail_sink.text(notice)
    (event,) = actions(app, "change_password")
    assert event.ip == "127.0.0.1" and event.target_id == str(event.user_id)


def test_a_password_change_is_refused_with_a_message_next_to_the_field(app, owner):
    set_english(owner)
    for data, where, expected in (
        (("wrong-password-1",), "current_password", "This is not your current password."),
        ((PASSWORD, PASSWORD), "password", "Choose a password different from the current one."),
        ((PASSWORD, "short"), "password", "Use at least 10 characters."),
        ((PASSWORD, NEW_PASSWORD, "Other-Harbour-2040"), "password2", "The two passwords differ."),
        (("",), "current_password", "This field is required."),
    ):
        page = change(owner, *data)
        assert page.status_code == 200
        assert expected in field_error(page.text, where), (data, page.text)
    assert login(app.test_client()).status_code == 302  # nothing changed
    assert actions(app, "change_password") == []


def test_password_changes_are_throttled_per_user(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per hour")
    client = app.test_client()
    register(client)
    codes = [change(client, "wrong-password-1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "修改密码的尝试次数过多" in text_of(change(client))
    assert client.get("/account/password").status_code == 200  # reading the form is not limited


def test_a_mail_server_that_is_down_loses_no_password_change(make_app, caplog):
    app = make_app(MAIL_PORT=closed_port())
    client = app.test_client()
    assert register(client).status_code == 302
    done = change(client)
    assert done.status_code == 302
    page = text_of(client.get(done.headers["Location"]))
    assert "密码已修改" in page and "确认此次修改的邮件未能发送" in page
    assert login(app.test_client(), password=NEW_PASSWORD).status_code == 302
    assert "could not be sent" in caplog.text


# --- an administrator's reset ---------------------------------------------------------------------


def test_an_admin_reset_ends_the_sessions_is_audited_and_tells_the_user(app, owner, mail_sink):
    with app_session(app) as s:
        s.add(User(email="admin@jxj.example", password_hash=hash_password(PASSWORD), role="admin"))
        s.commit()
        target = s.scalar(select(User.id).where(User.email == EMAIL))
    admin = app.test_client()
    login(admin, "admin@jxj.example")
    mail_sink.clear()
    assert admin.post(f"/admin/users/{target}/reset-password").status_code == 200
    assert not signed_in(owner)
    (notice,) = mail_sink.to(EMAIL)
    assert notice["Subject"] == "您的密码已修改" and "管理员已于" in mail_sink.text(notice)
    assert [e.target_id for e in actions(app, "reset_password")] == [str(target)]
