"""Two-step verification through the pages, with real codes computed from the stored secret:
enrolment, the sign-in step, replayed and wrong codes, recovery codes, staff who must enrol,
an admin's reset, throttling."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from assessment.services import audit
from assessment.services.accounts import hash_password
from assessment.services.mfa import STEP_SECONDS
from assessment.services.models import AuditEvent, RecoveryCode, User

from .conftest import app_session
from .helpers import PASSWORD, USCC_B, login, logout, register, set_english

STAFF_PASSWORD = "Cixi-Staff-Pass-2025"
CODES_RE = re.compile(r"<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code></li>")
REPLAYED = "此验证码已使用过"
WRONG = "验证码不正确"
THROTTLED = "错误的验证码次数过多"


def user_row(app, email: str) -> User:
    with app_session(app) as s:
        return s.scalar(select(User).where(User.email == email))


def add_staff(app, email: str, role: str = "bureau") -> None:
    with app_session(app) as s:
        s.add(User(email=email, password_hash=hash_password(STAFF_PASSWORD), role=role))
        s.commit()


def next_code(app, email: str) -> str:
    """A code the app accepts now: the earliest time step in the ±1 window after the last one
    used. Waits (really) when the step would sit at the window's edge or none is left."""
    while True:
        user = user_row(app, email)
        now = time.time()
        current = int(now) // STEP_SECONDS
        step = max(current - 1, (user.totp_last_step or 0) + 1)
        # Too close to a boundary, the step could leave the window before the request arrives.
        margin = now % STEP_SECONDS
        if step <= current + 1 and 1.0 < margin < STEP_SECONDS - 1.0:
            return pyotp.TOTP(user.totp_secret).at(step * STEP_SECONDS)
        time.sleep(1.1)


def wrong_code(app, email: str) -> str:
    """Six digits that are none of the codes of the window."""
    totp = pyotp.TOTP(user_row(app, email).totp_secret)
    now = time.time()
    valid = {totp.at(now + offset * STEP_SECONDS) for offset in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enrol(app, client, email: str) -> list[str]:
    """Set up two-step verification through the security page; returns the recovery codes."""
    assert client.post("/account/security/start").status_code == 302
    page = client.post("/account/security/confirm", data={"code": next_code(app, email)})
    assert page.status_code == 200, page.text
    codes = CODES_RE.findall(page.text)
    assert len(codes) == 10
    return codes


def signed_out(client) -> bool:
    """True when the client's session signs nobody in (its pages ask to sign in)."""
    response = client.get("/my")
    return response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")


def events(app, action: str) -> list[AuditEvent]:
    with app_session(app) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def enrolled_enterprise(app):
    """An enterprise user with two-step verification on, signed out; returns the codes."""
    client = app.test_client()
    register(client)
    codes = enrol(app, client, "a@example.com")
    logout(client)
    return client, codes


# --- enrolment --------------------------------------------------------------------------------


def test_enrolment_shows_a_server_drawn_qr_code_and_the_key_then_a_code_turns_it_on(app):
    client = app.test_client()
    register(client)
    page = client.get("/account/security")
    assert 'id="mfa-status">关闭' in page.text and "<svg" not in page.text
    assert client.post("/account/security/start").headers["Location"].endswith("#setup")
    page = client.get("/account/security")
    secret = user_row(app, "a@example.com").totp_secret
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert re.search(r'<svg viewBox="[0-9 ]+" class="qr"><path', page.text)
    assert f'id="mfa-secret">{grouped}</code>' in page.text
    assert "http" not in page.text.split('class="mfa-qr"')[1].split("</figure>")[0]
    assert page.headers["Cache-Control"] == "no-store"
    assert user_row(app, "a@example.com").totp_enabled_at is None  # not in force yet

    wrong = client.post(
        "/account/security/confirm", data={"code": wrong_code(app, "a@example.com")}
    )
    assert WRONG in wrong.text and user_row(app, "a@example.com").totp_enabled_at is None
    letters = client.post("/account/security/confirm", data={"code": "12ab56"})
    assert "请输入验证器应用中显示的 6 位验证码" in letters.text

    shown = client.post("/account/security/confirm", data={"code": next_code(app, "a@example.com")})
    codes = CODES_RE.findall(shown.text)
    assert len(set(codes)) == 10 and shown.headers["Cache-Control"] == "no-store"
    assert user_row(app, "a@example.com").totp_enabled_at is not None
    assert 'id="mfa-status">开启' in client.get("/account/security").text
    with app_session(app) as s:
        stored = s.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only digests are kept
    assert [e.user_id for e in events(app, audit.ENABLE_MFA)] == [user_row(app, "a@example.com").id]


def test_the_account_page_shows_the_status_and_links_to_the_security_page(app):
    client = app.test_client()
    register(client)
    set_english(client)
    page = client.get("/account/")
    assert "Two-step verification" in page.text and "password only" in page.text
    assert 'href="/account/security"' in page.text
    enrol(app, client, "a@example.com")
    assert "a code from your phone" in client.get("/account/").text


# --- the sign-in step -------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password_and_keeps_next(app):
    client, _codes = enrolled_enterprise(app)
    response = client.post("/auth/login?next=/account/", data={"email": "a@example.com",
                                                               "password": PASSWORD})  # fmt: skip
    assert response.headers["Location"] == "/auth/mfa"
    # The password alone signs nobody in.
    assert signed_out(client)
    assert "打开手机上的验证器应用" in client.get("/auth/mfa").text

    wrong = client.post("/auth/mfa", data={"code": wrong_code(app, "a@example.com")})
    assert wrong.status_code == 200 and WRONG in wrong.text
    assert signed_out(client)
    empty = client.post("/auth/mfa", data={"code": ""})
    assert "请输入 6 位验证码或恢复码" in empty.text

    done = client.post("/auth/mfa", data={"code": next_code(app, "a@example.com")})
    assert done.headers["Location"] == "/account/"
    assert client.get("/my").status_code == 200
    assert client.get("/auth/mfa").status_code == 302  # signed in: nothing to verify


def test_a_replayed_code_is_refused_with_a_clear_message(app):
    client, _codes = enrolled_enterprise(app)
    login(client)
    code = next_code(app, "a@example.com")
    assert client.post("/auth/mfa", data={"code": code}).status_code == 302
    logout(client)
    login(client)
    again = client.post("/auth/mfa", data={"code": code})
    assert (
        again.status_code == 200 and REPLAYED in again.text and "等待应用显示下一个" in again.text
    )
    assert signed_out(client)


def test_a_recovery_code_signs_in_once(app):
    client, codes = enrolled_enterprise(app)
    login(client)
    signed = client.post("/auth/mfa", data={"code": codes[3].upper().replace("-", " ")})
    assert signed.status_code == 302
    assert "还剩 9 个恢复码" in client.get("/my", follow_redirects=True).text
    assert len(events(app, audit.USE_RECOVERY_CODE)) == 1
    logout(client)
    login(client)
    again = client.post("/auth/mfa", data={"code": codes[3]})
    assert again.status_code == 200 and "不是您的恢复码，或已经用过" in again.text
    assert client.post("/auth/mfa", data={"code": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(app):
    client, codes = enrolled_enterprise(app)
    login(client)
    client.post("/auth/mfa", data={"code": codes[0]})
    page = client.post(
        "/account/security/recovery-codes", data={"code": next_code(app, "a@example.com")}
    )
    fresh = CODES_RE.findall(page.text)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert len(events(app, audit.REGENERATE_RECOVERY_CODES)) == 1
    logout(client)
    login(client)
    assert client.post("/auth/mfa", data={"code": codes[1]}).status_code == 200  # old: dead
    assert client.post("/auth/mfa", data={"code": fresh[0]}).status_code == 302


def test_the_wait_between_password_and_code_expires(make_app):
    app = make_app(MFA_PENDING_SECONDS=-1)
    client, _codes = enrolled_enterprise(app)
    login(client)
    response = client.post("/auth/mfa", data={"code": next_code(app, "a@example.com")})
    assert response.headers["Location"] == "/auth/login"
    assert "登录耗时过长" in client.get("/auth/login").text
    assert signed_out(client)


def test_signing_out_everywhere_ends_a_sign_in_waiting_for_its_code(app):
    client, _codes = enrolled_enterprise(app)
    login(client)
    with app_session(app) as s:
        s.scalar(select(User).where(User.email == "a@example.com")).session_version += 1
        s.commit()
    response = client.post("/auth/mfa", data={"code": next_code(app, "a@example.com")})
    assert response.headers["Location"] == "/auth/login"


# --- turning it off ---------------------------------------------------------------------------


def test_an_enterprise_user_turns_it_off_with_password_and_code(app):
    client = app.test_client()
    register(client)
    enrol(app, client, "a@example.com")
    bad = client.post("/account/security/disable",
                      data={"password": "not-the-password", "code": next_code(app, "a@example.com")})  # fmt: skip
    assert "密码不正确" in bad.text and user_row(app, "a@example.com").totp_enabled_at
    code = next_code(app, "a@example.com")
    done = client.post("/account/security/disable", data={"password": PASSWORD, "code": code})
    assert done.status_code == 302
    row = user_row(app, "a@example.com")
    assert row.totp_enabled_at is None and row.totp_secret is None
    assert len(events(app, audit.DISABLE_MFA)) == 1
    logout(client)
    assert login(client).headers["Location"] != "/auth/mfa"


def test_required_staff_cannot_turn_it_off(make_app):
    app = make_app(MFA_REQUIRED=True)
    add_staff(app, "analyst@jxj.example")
    client = app.test_client()
    login(client, "analyst@jxj.example", STAFF_PASSWORD)
    enrol(app, client, "analyst@jxj.example")
    page = client.get("/account/security")
    assert 'id="mfa-cannot-disable"' in page.text and "/account/security/disable" not in page.text
    response = client.post("/account/security/disable",
                           data={"password": STAFF_PASSWORD, "code": next_code(app, "analyst@jxj.example")})  # fmt: skip
    assert response.status_code == 302
    assert "不能关闭" in client.get("/account/security").text
    assert user_row(app, "analyst@jxj.example").totp_enabled_at is not None
    assert events(app, audit.DISABLE_MFA) == []


# --- staff must enrol where it is required ----------------------------------------------------


def test_staff_without_mfa_reach_only_the_enrolment_when_it_is_required(make_app):
    app = make_app(MFA_REQUIRED=True)
    add_staff(app, "admin@jxj.example", role="admin")
    client = app.test_client()
    assert login(client, "admin@jxj.example", STAFF_PASSWORD).status_code == 302
    for url in ("/bureau/", "/admin/users", "/account/", "/"):
        response = client.get(url)
        assert (
            response.status_code == 302 and response.headers["Location"] == "/account/security"
        ), url
    assert client.post("/admin/users/1/deactivate").headers["Location"] == "/account/security"
    page = client.get("/account/security")
    assert page.status_code == 200 and 'id="mfa-required"' in page.text
    assert (
        client.post("/language", data={"lang": "en", "next": "/account/security"}).status_code
        == 302
    )
    assert "two-step verification is required" in client.get("/account/security").text
    enrol(app, client, "admin@jxj.example")
    assert client.get("/bureau/").status_code == 200
    assert client.get("/admin/users").status_code == 200
    assert client.post("/auth/logout").status_code == 302


def test_town_officers_must_enrol_too_when_it_is_required(make_app):
    """They read their towns' answers, so they are held like the bureau."""
    app = make_app(MFA_REQUIRED=True)
    with app_session(app) as s:
        s.add(User(email="officer@zhouxiang.example", password_hash=hash_password(STAFF_PASSWORD),
                   role="town_officer", towns=["zhouxiang"]))  # fmt: skip
        s.commit()
    client = app.test_client()
    assert login(client, "officer@zhouxiang.example", STAFF_PASSWORD).status_code == 302
    response = client.get("/bureau/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/security"
    enrol(app, client, "officer@zhouxiang.example")
    assert client.get("/bureau/").status_code == 200


def test_staff_are_not_forced_when_it_is_not_required(make_app):
    app = make_app(MFA_REQUIRED=False)
    add_staff(app, "analyst@jxj.example")
    client = app.test_client()
    login(client, "analyst@jxj.example", STAFF_PASSWORD)
    assert client.get("/bureau/").status_code == 200
    assert 'id="mfa-required"' not in client.get("/account/security").text


def test_enterprise_users_are_never_forced(make_app):
    app = make_app(MFA_REQUIRED=True)
    client = app.test_client()
    register(client)
    assert client.get("/my").status_code == 200


def test_mfa_required_follows_production_unless_set(make_app, monkeypatch):
    monkeypatch.delenv("MFA_REQUIRED", raising=False)
    assert make_app().config["MFA_REQUIRED"] is False
    assert make_app(PRODUCTION=True).config["MFA_REQUIRED"] is True
    assert make_app(PRODUCTION=True, MFA_REQUIRED=False).config["MFA_REQUIRED"] is False
    monkeypatch.setenv("MFA_REQUIRED", "1")
    assert make_app().config["MFA_REQUIRED"] is True


# --- an admin's reset -------------------------------------------------------------------------


def _admin(app):
    add_staff(app, "admin@jxj.example", role="admin")
    admin = app.test_client()
    login(admin, "admin@jxj.example", STAFF_PASSWORD)
    return admin


def test_an_admins_reset_is_audited_and_the_user_signs_in_with_the_password_again(app):
    client = app.test_client()
    register(client)
    enrol(app, client, "a@example.com")
    admin = _admin(app)
    target = user_row(app, "a@example.com").id
    listing = admin.get("/admin/users").text
    assert f"/admin/users/{target}/reset-mfa" in listing
    response = admin.post(f"/admin/users/{target}/reset-mfa", data={"next": "/admin/users"})
    assert response.status_code == 302
    assert "已重置" in admin.get("/admin/users").text
    [event] = events(app, audit.RESET_MFA)
    assert event.user_id == user_row(app, "admin@jxj.example").id and event.target_id == str(target)
    assert "重置了两步验证" in admin.get("/admin/audit").text
    row = user_row(app, "a@example.com")
    assert row.totp_enabled_at is None and row.totp_secret is None
    with app_session(app) as s:
        assert s.scalars(select(RecoveryCode)).all() == []
    assert signed_out(client)  # signed out everywhere
    assert login(client).headers["Location"] != "/auth/mfa"
    assert client.get("/my").status_code == 200
    # Nothing left to reset: no button, and a second reset changes nothing.
    assert f"/admin/users/{target}/reset-mfa" not in admin.get("/admin/users").text
    admin.post(f"/admin/users/{target}/reset-mfa")
    assert len(events(app, audit.RESET_MFA)) == 1


def test_after_a_reset_required_staff_must_enrol_again(make_app):
    app = make_app(MFA_REQUIRED=True)
    admin = _admin(app)
    enrol(app, admin, "admin@jxj.example")
    add_staff(app, "analyst@jxj.example")
    analyst = app.test_client()
    login(analyst, "analyst@jxj.example", STAFF_PASSWORD)
    enrol(app, analyst, "analyst@jxj.example")
    target = user_row(app, "analyst@jxj.example").id
    assert admin.post(f"/admin/users/{target}/reset-mfa").status_code == 302
    assert len(events(app, audit.RESET_MFA)) == 1
    login(analyst, "analyst@jxj.example", STAFF_PASSWORD)
    assert analyst.get("/bureau/").headers["Location"] == "/account/security"


def test_an_admin_cannot_reset_their_own(app):
    admin = _admin(app)
    enrol(app, admin, "admin@jxj.example")
    me = user_row(app, "admin@jxj.example").id
    admin.post(f"/admin/users/{me}/reset-mfa")
    assert user_row(app, "admin@jxj.example").totp_enabled_at is not None
    assert events(app, audit.RESET_MFA) == []


# --- throttling -------------------------------------------------------------------------------


def test_wrong_codes_at_sign_in_are_throttled_per_user_with_a_clear_message(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA_USER="3 per 5 minutes")
    client, _codes = enrolled_enterprise(app)
    login(client)
    wrong = wrong_code(app, "a@example.com")
    statuses = [client.post("/auth/mfa", data={"code": wrong}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    blocked = client.post("/auth/mfa", data={"code": next_code(app, "a@example.com")})
    assert blocked.status_code == 429 and THROTTLED in blocked.text
    assert signed_out(client)
    assert client.get("/auth/mfa").status_code == 200  # reading the form is not limited


def test_right_codes_do_not_count_against_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA_USER="2 per 5 minutes")
    client, codes = enrolled_enterprise(app)
    for code in codes[:4]:
        login(client)
        assert client.post("/auth/mfa", data={"code": code}).status_code == 302
        logout(client)


def test_wrong_codes_are_throttled_per_address_across_users(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA_IP="2 per 5 minutes")
    first, _ = enrolled_enterprise(app)
    other = app.test_client()
    add_staff(app, "analyst@jxj.example")
    login(other, "analyst@jxj.example", STAFF_PASSWORD)
    enrol(app, other, "analyst@jxj.example")
    logout(other)
    login(first)
    for _ in range(2):
        assert (
            first.post("/auth/mfa", data={"code": wrong_code(app, "a@example.com")}).status_code
            == 200
        )
    login(other, "analyst@jxj.example", STAFF_PASSWORD)
    blocked = other.post("/auth/mfa", data={"code": wrong_code(app, "analyst@jxj.example")})
    assert blocked.status_code == 429 and THROTTLED in blocked.text


def test_wrong_codes_at_enrolment_are_throttled(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA_USER="2 per 5 minutes")
    client = app.test_client()
    register(client)
    client.post("/account/security/start")
    wrong = wrong_code(app, "a@example.com")
    for _ in range(2):
        assert client.post("/account/security/confirm", data={"code": wrong}).status_code == 200
    blocked = client.post(
        "/account/security/confirm", data={"code": next_code(app, "a@example.com")}
    )
    assert blocked.status_code == 429 and THROTTLED in blocked.text
    assert user_row(app, "a@example.com").totp_enabled_at is None


def test_english_pages(app):
    client = app.test_client()
    register(client)
    set_english(client)
    client.post("/account/security/start")
    page = client.get("/account/security")
    assert "scan this QR code" in page.text and "Turn on" in page.text


# --- bad input ----------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_full_width_digits_from_a_chinese_input_method_are_accepted(app):
    client, _codes = enrolled_enterprise(app)
    login(client)
    code = next_code(app, "a@example.com")
    spaced = f"{code[:3].translate(FULL_WIDTH)}　{code[3:].translate(FULL_WIDTH)}"
    assert client.post("/auth/mfa", data={"code": spaced}).status_code == 302


def test_digits_of_other_scripts_and_odd_input_get_a_message_not_an_error(app):
    client, _codes = enrolled_enterprise(app)
    login(client)
    for raw in ("١٢٣٤٥٦", "12345", "1234567", "x" * 64, "<script>", "---- ----"):
        page = client.post("/auth/mfa", data={"code": raw})
        assert page.status_code == 200 and "field-error" in page.text, raw
    assert client.post("/auth/mfa", data={"code": "x" * 65}).status_code == 200
    register_other = app.test_client()
    register(register_other, uscc=USCC_B, email="b@example.com")
    register_other.post("/account/security/start")
    page = register_other.post("/account/security/confirm", data={"code": "١٢٣٤٥٦"})
    assert page.status_code == 200 and "请输入验证器应用中显示的 6 位验证码" in page.text


def test_an_exhausted_address_limit_answers_others_with_a_page_not_an_error(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA_IP="1 per 5 minutes")
    client, _codes = enrolled_enterprise(app)
    login(client)
    client.post("/auth/mfa", data={"code": wrong_code(app, "a@example.com")})
    anonymous = app.test_client()
    for url in ("/account/security/confirm", "/account/security/disable"):
        response = anonymous.post(url, data={"code": "123456"})
        assert "/auth/login" in response.headers["Location"], url  # sign-in comes first
    response = anonymous.post("/auth/mfa", data={"code": "123456"})
    assert response.status_code == 429 and THROTTLED in response.text
