"""CSRF on every state-changing route, login throttling, headers, size limits, sessions."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from assessment.core.uscc import make_uscc
from assessment.services import invitations
from assessment.services.accounts import hash_password
from assessment.services.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignTarget,
    Enterprise,
    Invitation,
    Job,
    User,
)

from .conftest import app_session, csrf_from
from .helpers import (
    PASSWORD,
    lock_version,
    login,
    page_form,
    register,
    registration,
    start,
    typical_answers,
)


def _csrf_login(client, email, password):
    token = csrf_from(client.get("/auth/login").text)
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(make_app, registry):
    app = make_app(WTF_CSRF_ENABLED=True)
    # The API (/api/v1) is exempt: no cookie authenticates it (401 to a session, test_api.py).
    post_rules = [r for r in app.url_map.iter_rules()
                  if "POST" in r.methods and not r.rule.startswith("/api/")]  # fmt: skip
    assert len(post_rules) >= 10
    enterprise, admin = app.test_client(), app.test_client()
    token = csrf_from(enterprise.get("/auth/register").text)
    assert (
        enterprise.post("/auth/register", data={**registration(), "csrf_token": token}).status_code
        == 302
    )
    token = csrf_from(enterprise.get("/my").text)
    draft_url = enterprise.post("/my/start/lianghua", data={"csrf_token": token}).headers[
        "Location"
    ]
    public_id = draft_url.split("/")[2]
    with app_session(app) as s:
        s.add(User(email="admin@jxj.example", password_hash=hash_password(PASSWORD), role="admin"))
        s.commit()
        target = s.scalar(select(User.id).where(User.email == "a@example.com"))
        enterprise_id = s.scalar(select(Enterprise.public_id))
        campaign = Campaign(name="c", questionnaire_ids=["cloud"], starts_on=date(2026, 1, 1),
                            ends_on=date(2026, 12, 31))  # fmt: skip
        s.add(CampaignTarget(campaign=campaign, uscc=make_uscc("330282", "MA2CT001"), name="t",
                             town="zhouxiang", industry="appliances", invite_code="ABCDEFGHJKLM"))  # fmt: skip
        owner = s.get(User, target)
        s.add(Invitation(token_hash=invitations.token_hash("invite-token"), email="c@example.com",
                         enterprise_id=owner.enterprise_id, expires_at=datetime(2099, 1, 1)))  # fmt: skip
        s.commit()
    assert _csrf_login(admin, "admin@jxj.example", PASSWORD).status_code == 302
    urls = {
        "main.set_language": "/language", "auth.login": "/auth/login", "auth.register": "/auth/register",
        "auth.logout": "/auth/logout", "survey.start": "/my/start/cloud",
        "survey.page": f"/a/{public_id}/page/0", "survey.review": f"/a/{public_id}/review",
        "bureau.batch_reports": "/bureau/reports?q=cloud",
        "admin.deactivate": f"/admin/users/{target}/deactivate",
        "admin.activate": f"/admin/users/{target}/activate",
        "admin.reset_password": f"/admin/users/{target}/reset-password",
        "admin.reset_mfa": f"/admin/users/{target}/reset-mfa",
        "mfa.start": "/account/security/start", "mfa.confirm": "/account/security/confirm",
        "mfa.regenerate": "/account/security/recovery-codes",
        "mfa.disable": "/account/security/disable", "mfa.challenge": "/auth/mfa",
        "auth.forgot": "/auth/forgot", "auth.reset": "/auth/reset/x",
        "auth.resend_verification": "/auth/resend-verification",
        "account.password": "/account/password",
        "api_tokens.index": "/account/tokens", "api_tokens.revoke": "/account/tokens/1/revoke",
        "admin_enterprises.correct": f"/admin/enterprises/{enterprise_id}/uscc",
        "officers.towns": f"/admin/users/{target}/towns",
        "campaigns.create": "/bureau/campaigns/new", "campaigns.edit": "/bureau/campaigns/x1/edit",
        "campaigns.remind": "/bureau/campaigns/x1/remind",
        "campaigns.commit": "/bureau/campaigns/x1/import/t1",
        "review.decide": f"/bureau/review/{public_id}", "review.correct": f"/my/correct/{public_id}",
        "grants.create": "/account/providers/", "grants.revoke": "/account/providers/1/revoke",
        "join.enter": "/join", "join.register": "/join/ABCDEFGHJKLM",
        "profile.update": "/account/profile",
        "provider.act": "/provider/act/x1", "provider.stop": "/provider/stop",
        "team.accept": "/invite/invite-token", "team.invite": "/account/team/invite",
        "team.remove": f"/account/team/members/{target}/remove", "team.rename": "/account/team/name",
        "team.revoke": "/account/team/invitations/1/revoke",
        "team.transfer": f"/account/team/members/{target}/owner",
    }  # fmt: skip
    # The target-list upload checks its own token after reading the file's size (its own test:
    # test_target_import.test_the_upload_checks_its_csrf_token_itself).
    checked_elsewhere = {"campaigns.upload"}
    assert {r.endpoint for r in post_rules} == set(urls) | checked_elsewhere, (
        "a new POST route needs a CSRF check here"
    )
    anonymous = app.test_client()
    staff_routes = (
        "admin.",
        "bureau.",
        "admin_enterprises.",
        "officers.",
        "campaigns.",
        "review.decide",
    )
    for endpoint, url in urls.items():
        client = admin if endpoint.startswith(staff_routes) else enterprise
        if endpoint in (
            "auth.login",
            "auth.register",
            "join.enter",
            "join.register",
            "team.accept",
        ):
            client = anonymous
        for token in (None, "forged-token"):
            data = {
                "lang": "en",
                "next": "/",
                "nav": "save",
                "lock_version": "0",
                "email": "x@example.com",
                "password": "whatever-password",
            }
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            # Refused: 400, or the form shown again (with what was typed) and nothing done.
            assert response.status_code in (200, 400), (endpoint, response.status_code)
            if response.status_code == 200:
                assert "页面已过期" in response.text, endpoint  # Chinese: the default
    with app_session(app) as s:
        assert s.scalar(select(func.count(Assessment.id))) == 1  # no cloud draft started
        draft = s.scalar(select(Assessment))
        assert draft.answers == {} and draft.lock_version == 0
        user = s.get(User, target)
        assert user.active and user.session_version == 1
        assert s.scalar(select(func.count(Job.id))) == 0
        assert s.scalar(select(func.count(AuditEvent.id))) == 0
    assert 'lang="zh-Hans"' in enterprise.get("/my").text  # the language did not change
    assert enterprise.get("/my").status_code == 200  # and the session was not ended


def test_login_is_throttled_with_a_readable_429_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    codes = [client.post("/auth/login", data={"email": "x@example.com", "password": "wrong-password"}).status_code
             for _ in range(5)]  # fmt: skip
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    page = client.post("/auth/login", data={"email": "x@example.com", "password": "y"})
    assert (
        page.status_code == 429
        and "尝试次数过多" in page.text
        and "请等待一分钟后重试" in page.text
    )
    assert client.get("/auth/login").status_code == 200  # reading the form is not limited


def test_security_headers_on_every_page(client):
    for url in ("/", "/auth/login", "/no-such-page", "/healthz"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_in_any_template():
    root = Path(__file__).resolve().parent.parent / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text and " on" + "click=" not in text, template


def test_session_cookie_is_httponly_and_samesite_lax(client):
    register(client)
    cookie = client.get("/my").headers.get("Set-Cookie") or ""
    response = client.post("/auth/login", data={"email": "a@example.com", "password": PASSWORD})
    for header in [cookie, *response.headers.getlist("Set-Cookie")]:
        if header.startswith("session="):
            assert "HttpOnly" in header and "SameSite=Lax" in header


def test_too_large_a_post_gets_a_readable_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    response = app.test_client().post("/auth/login", data={"email": "x" * 20_000, "password": "y"})
    assert response.status_code == 413 and "提交的数据过大" in response.text


@pytest.mark.parametrize("code,words", [(404, "页面不存在"), (403, "无权"), (400, "")])
def test_error_pages_are_translated_and_show_no_traceback(client, code, words):
    if code == 404:
        response = client.get("/nope")
    elif code == 403:
        register(client)
        response = client.get("/bureau/")
    else:
        response = client.post(
            "/language", data={}, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        code = response.status_code  # a harmless request: just check no traceback leaks
    assert response.status_code == code
    assert "Traceback" not in response.text and "werkzeug" not in response.text.lower()
    if words:
        assert words in response.text


def test_signing_in_rotates_the_session_and_signing_out_ends_every_session(app):
    first, second = app.test_client(), app.test_client()
    register(first)
    first.post("/auth/logout")
    login(first)
    login(second)
    assert second.get("/my").status_code == 200
    first.post("/auth/logout")  # ends every session of the user
    assert second.get("/my").status_code == 302


def test_a_deactivated_account_loses_its_open_session(app):
    """Marked inactive in the database (as a repair would, without ending its sessions through
    the admin page): the account's open session no longer signs it in."""
    client = app.test_client()
    register(client)
    assert client.get("/my").status_code == 200
    with app_session(app) as s:
        s.execute(update(User).values(active=False))
        s.commit()
    response = client.get("/my")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_session_that_expires_mid_survey_keeps_the_draft(client, registry, app):
    questionnaire = registry.get("lianghua")
    register(client)
    url = start(client, "lianghua")
    answers = typical_answers(questionnaire)
    client.post(
        url,
        data=page_form(
            questionnaire, 0, answers, nav="next", lock=lock_version(client.get(url).text)
        ),
    )
    client.delete_cookie("session")  # the browser lost the session
    page1 = url.replace("/page/0", "/page/1")
    assert client.get(page1).status_code == 302  # asked to sign in again
    login(client)
    resumed = start(client, "lianghua")
    assert resumed.endswith("/page/1")
    first = next(
        q for q in questionnaire.pages[0].questions if q.type == "single" and q.id in answers
    )
    assert f'value="{answers[first.id]}" checked' in client.get(url).text


def test_passwords_are_stored_with_a_slow_salted_hash(app):
    client = app.test_client()
    register(client)
    with app_session(app) as s:
        stored = s.scalar(select(User.password_hash))
    assert stored.startswith(("scrypt:", "pbkdf2:")) and PASSWORD not in stored


def test_nul_bytes_get_a_400_page_not_a_database_error(client):
    register(client)
    for response in (
        client.get("/my?x=%00"),
        client.get("/a/abc%00/result"),
        client.post("/language", data={"lang": "en\x00", "next": "/"}),
    ):
        assert response.status_code == 400 and "Traceback" not in response.text


def test_a_nul_byte_in_a_repeated_field_gets_a_400_too(client):
    register(client)
    assert client.get("/my?x=ok&x=%00").status_code == 400
    repeated = MultiDict([("lang", "en"), ("lang", "en\x00"), ("next", "/")])
    assert client.post("/language", data=repeated).status_code == 400
