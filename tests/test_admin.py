"""Admin pages: the user list, deactivate / activate / reset password, and the audit log."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assessment.services import audit
from assessment.services.accounts import hash_password
from assessment.services.models import AuditEvent, User

from . import factories
from .conftest import app_session, csrf_from
from .helpers import set_english

PASSWORD = "Cixi-Admin-Test-2025"
ADMIN = "admin@x.example"
BUREAU = "analyst@x.example"
ENTERPRISE = "factory@x.example"
TEMP_RE = re.compile(r'id="temporary-password"[^>]*>([^<]+)</code>')


def add_user(app, email: str, role: str, password: str = PASSWORD, active: bool = True) -> int:
    """An account made directly in the database (enterprise users get an enterprise)."""
    with app_session(app) as s:
        enterprise = factories.enterprise(s) if role == "enterprise" else None
        user = User(
            email=email,
            password_hash=hash_password(password),
            role=role,
            enterprise=enterprise,
            active=active,
        )
        s.add(user)
        s.commit()
        return user.id


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in the way a browser does (with `next`, so no role-specific landing page is needed)."""
    return client.post("/auth/login?next=/", data={"email": email, "password": password})


def get_user(app, user_id: int) -> User:
    with app_session(app) as s:
        return s.get(User, user_id)


def events(app, action: str | None = None) -> list[AuditEvent]:
    with app_session(app) as s:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(s.scalars(stmt))


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


@pytest.fixture
def accounts(app):
    """One account of each role; returns their ids by role."""
    return {
        "admin": add_user(app, ADMIN, "admin"),
        "bureau": add_user(app, BUREAU, "bureau"),
        "enterprise": add_user(app, ENTERPRISE, "enterprise"),
    }


@pytest.fixture
def admin_client(app, accounts):
    client = app.test_client()  # tests sign in other clients besides this one
    set_english(client)
    response = sign_in(client, ADMIN)
    assert response.status_code == 302, response.text
    return client


# --- who may use the admin pages --------------------------------------------------------------

ROUTES = [
    ("get", "/admin/users", 200),
    ("get", "/admin/audit", 200),
    ("post", "/admin/users/{target}/deactivate", 302),
    ("post", "/admin/users/{target}/activate", 302),
    ("post", "/admin/users/{target}/reset-password", 200),
]


@pytest.mark.parametrize(("method", "path", "admin_status"), ROUTES)
@pytest.mark.parametrize("role", [None, "enterprise", "bureau", "admin"])
def test_role_matrix(app, accounts, method, path, admin_status, role):
    client = app.test_client()
    target = add_user(app, "target@x.example", "enterprise")
    if role is not None:
        email = {"admin": ADMIN, "bureau": BUREAU, "enterprise": ENTERPRISE}[role]
        assert sign_in(client, email).status_code == 302
    response = getattr(client, method)(path.format(target=target))
    if role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    elif role in ("enterprise", "bureau"):
        assert response.status_code == 403
    else:
        assert response.status_code == admin_status
    if role != "admin":
        assert get_user(app, target).active and events(app) == []


def test_admin_nav_links_only_for_admins(app, accounts):
    admin = app.test_client()
    sign_in(admin, ADMIN)
    page = admin.get("/").text
    assert 'href="/admin/users"' in page and 'href="/admin/audit"' in page
    bureau = app.test_client()
    sign_in(bureau, BUREAU)
    assert 'href="/admin/users"' not in bureau.get("/").text


# --- the user list ----------------------------------------------------------------------------


def test_user_list_shows_every_account_with_role_and_status(app, admin_client, accounts):
    add_user(app, "gone@x.example", "bureau", active=False)
    page = admin_client.get("/admin/users")
    assert page.status_code == 200
    text = page.text
    for email in (ADMIN, BUREAU, ENTERPRISE, "gone@x.example"):
        assert email in text
    assert "Bureau analyst" in text and "Administrator" in text and "Enterprise user" in text
    assert "测试企业" in text  # the enterprise user's company
    assert "Deactivated" in text
    # No deactivate / reset buttons on the admin's own row.
    own_row = re.search(rf'<tr id="user-{accounts["admin"]}">(.*?)</tr>', text, re.S).group(1)
    assert "deactivate" not in own_row and "reset-password" not in own_row


def test_user_list_search_and_filters(app, admin_client, accounts):
    add_user(app, "gone@x.example", "bureau", active=False)
    found = admin_client.get("/admin/users?q=ANALYST").text
    assert BUREAU in found and ENTERPRISE not in found
    bureau = admin_client.get("/admin/users?role=bureau").text
    assert BUREAU in bureau and "gone@x.example" in bureau and ENTERPRISE not in bureau
    inactive = admin_client.get("/admin/users?status=inactive").text
    assert "gone@x.example" in inactive and BUREAU not in inactive
    nothing = admin_client.get("/admin/users?q=%25_nobody").text
    assert "No accounts match these filters." in nothing


def test_user_list_is_paginated(app, admin_client, accounts):
    for n in range(5):
        add_user(app, f"user{n}@x.example", "bureau")
    first = admin_client.get("/admin/users?per_page=3").text
    assert "Page 1 of 3 (8 in all)" in first
    assert 'rel="next"' in first and "per_page=3" in first
    last = admin_client.get("/admin/users?per_page=3&page=3").text
    assert "Page 3 of 3" in last


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=99999999999999",
        "page=1e9",
        "per_page=100000000",
        "per_page=0",
        "role=superuser",
        "status=maybe",
        "q=" + "x" * 5000,
        "q=%00%27%22<script>",
    ],
)
def test_user_list_bad_input_never_fails(admin_client, query):
    response = admin_client.get(f"/admin/users?{query}")
    # A NUL byte is refused up front (400 page: PostgreSQL cannot store it); anything else renders.
    assert response.status_code == (400 if "%00" in query else 200)
    assert "<script>" not in response.text.split("<main", 1)[1]


def test_unknown_role_is_ignored_with_a_message_next_to_the_field(admin_client):
    page = admin_client.get("/admin/users?role=superuser").text
    assert field_error(page, "role") == "Unknown role; showing all roles."
    assert BUREAU in page and ENTERPRISE in page


# --- deactivate and activate ------------------------------------------------------------------


def test_deactivate_ends_existing_sessions_and_blocks_sign_in(app, admin_client, accounts):
    target = accounts["enterprise"]
    other = app.test_client()
    assert sign_in(other, ENTERPRISE).status_code == 302
    assert other.get("/my").status_code == 200

    response = admin_client.post(f"/admin/users/{target}/deactivate")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert "is deactivated and signed out everywhere" in admin_client.get("/admin/users").text
    user = get_user(app, target)
    assert user.active is False

    # The open session is gone at once.
    again = other.get("/my")
    assert again.status_code == 302 and again.headers["Location"].startswith("/auth/login")
    # And the password no longer signs in.
    fresh = app.test_client()
    assert sign_in(fresh, ENTERPRISE).status_code == 200  # the form again, with an error
    assert fresh.get("/my").status_code == 302

    [event] = events(app, audit.DEACTIVATE_USER)
    assert event.user_id == accounts["admin"]
    assert event.target_type == "user" and event.target_id == str(target)
    assert event.details == {"email": ENTERPRISE}


def test_activate_restores_sign_in(app, admin_client, accounts):
    target = accounts["bureau"]
    admin_client.post(f"/admin/users/{target}/deactivate")
    assert sign_in(app.test_client(), BUREAU).status_code == 200  # refused
    response = admin_client.post(f"/admin/users/{target}/activate")
    assert response.status_code == 302
    assert get_user(app, target).active is True
    assert sign_in(app.test_client(), BUREAU).status_code == 302
    [event] = events(app, audit.ACTIVATE_USER)
    assert event.target_id == str(target) and event.user_id == accounts["admin"]


def test_repeated_toggles_are_harmless_and_not_audited(app, admin_client, accounts):
    target = accounts["bureau"]
    admin_client.post(f"/admin/users/{target}/activate")  # already active
    assert events(app) == []
    admin_client.post(f"/admin/users/{target}/deactivate")
    version = get_user(app, target).session_version
    admin_client.post(f"/admin/users/{target}/deactivate")  # already deactivated
    assert get_user(app, target).session_version == version
    assert len(events(app, audit.DEACTIVATE_USER)) == 1


def test_admin_cannot_deactivate_themself(app, admin_client, accounts):
    me = accounts["admin"]
    response = admin_client.post(f"/admin/users/{me}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.text
    assert get_user(app, me).active is True
    assert admin_client.get("/admin/users").status_code == 200  # still signed in
    assert events(app) == []


def test_the_redirect_keeps_the_list_filters_but_never_leaves_the_site(admin_client, accounts):
    target = accounts["bureau"]
    kept = admin_client.post(
        f"/admin/users/{target}/deactivate", data={"next": "/admin/users?role=bureau&page=1"}
    )
    assert kept.headers["Location"] == "/admin/users?role=bureau&page=1"
    for bad in ("https://evil.example/", "//evil.example/admin/users", "/admin/users/../x"):
        response = admin_client.post(f"/admin/users/{target}/activate", data={"next": bad})
        assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("action", ["deactivate", "activate", "reset-password"])
@pytest.mark.parametrize("user_id", ["999", "0", "99999999999999999999999"])
def test_unknown_user_is_404(admin_client, action, user_id):
    assert admin_client.post(f"/admin/users/{user_id}/{action}").status_code == 404


def test_non_numeric_user_id_is_404_and_get_is_405(admin_client, accounts):
    assert admin_client.post("/admin/users/abc/deactivate").status_code == 404
    assert admin_client.get(f"/admin/users/{accounts['bureau']}/deactivate").status_code == 405


# --- reset password ---------------------------------------------------------------------------


def test_reset_password_shows_a_working_temporary_password_once(app, admin_client, accounts):
    target = accounts["enterprise"]
    other = app.test_client()
    sign_in(other, ENTERPRISE)
    assert other.get("/my").status_code == 200

    response = admin_client.post(f"/admin/users/{target}/reset-password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "shown only this once" in response.text
    password = TEMP_RE.search(response.text).group(1)
    assert len(password) >= 16
    assert password not in (response.headers.get("Location") or "")

    # Every old session ends; the old password fails and the temporary one works.
    assert other.get("/my").status_code == 302
    assert sign_in(app.test_client(), ENTERPRISE, PASSWORD).status_code == 200
    fresh = app.test_client()
    assert sign_in(fresh, ENTERPRISE, password).status_code == 302
    assert fresh.get("/my").status_code == 200

    [event] = events(app, audit.RESET_PASSWORD)
    assert event.target_type == "user" and event.target_id == str(target)
    assert password not in str(event.details)
    # The password is not stored or shown anywhere else.
    assert password not in admin_client.get("/admin/audit").text
    assert password not in admin_client.get("/admin/users").text


def test_each_reset_gives_a_different_password(admin_client, accounts):
    url = f"/admin/users/{accounts['bureau']}/reset-password"
    first = TEMP_RE.search(admin_client.post(url).text).group(1)
    second = TEMP_RE.search(admin_client.post(url).text).group(1)
    assert first != second


def test_admin_cannot_reset_own_password_here(app, admin_client, accounts):
    me = accounts["admin"]
    before = get_user(app, me).password_hash
    response = admin_client.post(f"/admin/users/{me}/reset-password", follow_redirects=True)
    assert "You cannot reset your own password here." in response.text
    assert get_user(app, me).password_hash == before
    assert events(app) == []


# --- CSRF -------------------------------------------------------------------------------------


def test_admin_posts_without_a_csrf_token_are_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    add_user(app, ADMIN, "admin")
    target = add_user(app, BUREAU, "bureau")
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    signed_in = client.post(
        "/auth/login?next=/",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in.status_code == 302
    before = get_user(app, target)
    for action in ("deactivate", "reset-password"):
        response = client.post(f"/admin/users/{target}/{action}")
        assert response.status_code == 400
        response = client.post(f"/admin/users/{target}/{action}", data={"csrf_token": "forged"})
        assert response.status_code == 400
    after = get_user(app, target)
    assert after.active and after.password_hash == before.password_hash
    assert after.session_version == before.session_version
    assert events(app) == []

    # With the token from the page, the same button works.
    page = client.get("/admin/users").text
    token = csrf_from(page)
    response = client.post(f"/admin/users/{target}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302
    assert get_user(app, target).active is False


# --- the audit log ----------------------------------------------------------------------------


def _seed_events(app, accounts) -> None:
    """Three events by two people on different days (times in UTC)."""
    with app_session(app) as s:
        admin = s.get(User, accounts["admin"])
        bureau = s.get(User, accounts["bureau"])
        rows = [
            (bureau, audit.VIEW_ENTERPRISE, "enterprise", "42", datetime(2025, 3, 1, 2, 0)),
            (bureau, audit.EXPORT_CSV, None, None, datetime(2025, 3, 10, 15, 30)),
            (admin, audit.RESET_PASSWORD, "user", "7", datetime(2025, 4, 2, 1, 0)),
        ]
        for who, action, target_type, target_id, at in rows:
            event = audit.record(
                s,
                who,
                action,
                target_type,
                target_id,
                details={"filter": {"town": "zhouxiang"}, "note": "<b>x</b>"},
                ip="10.0.0.5",
                commit=False,
            )
            event.at = at
        s.commit()


def _actions(page: str) -> list[str]:
    body = re.search(r'<table class="table" id="audit-table">(.*?)</table>', page, re.S)
    if body is None:
        return []
    return re.findall(r'<td class="audit-action"[^>]*>([^<]*)</td>', body.group(1))


def test_audit_page_lists_events_newest_first_in_beijing_time(app, admin_client, accounts):
    _seed_events(app, accounts)
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    assert _actions(page.text) == ["Reset a password", "Exported CSV", "Viewed an enterprise"]
    # 2025-03-10 15:30 UTC is 23:30 in Beijing; 2025-04-02 01:00 UTC is 09:00.
    assert "2025-03-10 23:30:00" in page.text and "2025-04-02 09:00:00" in page.text
    assert BUREAU in page.text and "10.0.0.5" in page.text
    # Details are shown as JSON, escaped.
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text and "<b>x</b>" not in page.text
    assert "zhouxiang" in page.text


def test_admin_actions_appear_in_the_audit_log(app, admin_client, accounts):
    target = accounts["bureau"]
    admin_client.post(f"/admin/users/{target}/deactivate")
    admin_client.post(f"/admin/users/{target}/activate")
    admin_client.post(f"/admin/users/{target}/reset-password")
    page = admin_client.get("/admin/audit").text
    assert _actions(page) == ["Reset a password", "Activated a user", "Deactivated a user"]
    assert ADMIN in page and BUREAU in page


def test_audit_filters(app, admin_client, accounts):
    _seed_events(app, accounts)
    by_action = admin_client.get("/admin/audit?action=export_csv").text
    assert _actions(by_action) == ["Exported CSV"]
    by_email = admin_client.get("/admin/audit?email=ANALYST@").text
    assert _actions(by_email) == ["Exported CSV", "Viewed an enterprise"]
    by_target = admin_client.get("/admin/audit?target_id=42").text
    assert _actions(by_target) == ["Viewed an enterprise"]
    # Dates are Beijing days: 2025-03-10 15:30 UTC is already 03-10 23:30 there, still 03-10.
    one_day = admin_client.get("/admin/audit?date_from=2025-03-10&date_to=2025-03-10").text
    assert _actions(one_day) == ["Exported CSV"]
    since = admin_client.get("/admin/audit?date_from=2025-03-02").text
    assert _actions(since) == ["Reset a password", "Exported CSV"]
    until = admin_client.get("/admin/audit?date_to=2025-03-01").text
    assert _actions(until) == ["Viewed an enterprise"]
    combined = admin_client.get("/admin/audit?action=view_enterprise&email=admin@").text
    assert _actions(combined) == []
    assert "No events match these filters." in combined


def test_audit_is_paginated_and_keeps_filters(app, admin_client, accounts):
    with app_session(app) as s:
        admin = s.get(User, accounts["admin"])
        start = datetime(2025, 1, 1)
        for n in range(7):
            event = audit.record(s, admin, audit.EXPORT_XLSX, commit=False)
            event.at = start + timedelta(hours=n)
        s.commit()
    page = admin_client.get("/admin/audit?per_page=3&action=export_xlsx&page=2").text
    assert "Page 2 of 3 (7 in all)" in page
    assert len(_actions(page)) == 3
    assert "action=export_xlsx" in re.search(r'<a href="([^"]+)" rel="next"', page).group(1)
    beyond = admin_client.get("/admin/audit?per_page=3&page=500").text
    assert "Page 3 of 3" in beyond and len(_actions(beyond)) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("action=drop_tables", "action", "Unknown action; showing all actions."),
        ("date_from=2025-13-45", "date_from", "This date does not exist."),
        ("date_from=yesterday", "date_from", "Enter a date as YYYY-MM-DD"),
        ("date_to=31/03/2025", "date_to", "Enter a date as YYYY-MM-DD"),
        (
            "date_from=2025-04-01&date_to=2025-03-01",
            "date_to",
            "The end date is before the start date",
        ),
        ("target_id=" + "9" * 100, "target_id", "Too long"),
    ],
)
def test_bad_audit_filters_are_ignored_with_a_message(
    app, admin_client, accounts, query, field, message
):
    _seed_events(app, accounts)
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert message in field_error(response.text, field)
    assert "Some filters could not be used" in response.text


def test_unknown_action_shows_everything(app, admin_client, accounts):
    _seed_events(app, accounts)
    page = admin_client.get("/admin/audit?action=drop_tables").text
    assert len(_actions(page)) == 3


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-3",
        "page=99999999",
        "page=999999999999999999999",
        "per_page=99999999999",
        "per_page=-1",
        "date_from=0001-01-01&date_to=9999-12-31",
        "date_from=0000-01-01",
        "date_to=9999-12-31",
        "date_from=2025-02-29",
        "email=%25%25%25&target_id=%27%3B--",
        "action=&email=&target_id=&date_from=&date_to=",
        "action=a&action=b",
    ],
)
def test_audit_bad_input_never_fails(app, admin_client, accounts, query):
    _seed_events(app, accounts)
    assert admin_client.get(f"/admin/audit?{query}").status_code == 200


def test_pages_are_chinese_by_default(app, accounts):
    client = app.test_client()
    sign_in(client, ADMIN)
    users = client.get("/admin/users").text
    assert 'lang="zh-Hans"' in users
    assert "用户" in users and "管理员" in users
    audit_page = client.get("/admin/audit").text
    assert "审计日志" in audit_page
