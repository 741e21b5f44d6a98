"""Hostile input: random and malicious data posted to every form endpoint (hypothesis).

Asserts no response ≥ 500 over at least 2,000 requests and that nothing posted comes back
unescaped. Every request a browser could send — wrong types, missing and duplicated fields,
unknown question ids, XSS and SQL payloads, huge values.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from assessment.services.accounts import hash_password
from assessment.services.models import User

from .conftest import app_session
from .helpers import PASSWORD, login, register, start

MARK = "<script>alert('pwn')</script>"
PAYLOADS = [
    MARK, "\"><img src=x onerror=alert(1)>", "' OR '1'='1", "1; DROP TABLE assessment;--",
    "=cmd|' /C calc'!A0", "../../etc/passwd", "%00", "\x00", "𝕏" * 50, "９９９", "1e309", "-1",
    "NaN", "[]", "{}", "null", "na", "0" * 400, "9" * 40, "\u202e\u0645\u0631\u062d\u0628\u0627",
]  # fmt: skip
text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=60), st.integers().map(str))
field_names = st.one_of(
    st.sampled_from(["q_f_network", "q_f_erp", "q_s_production_control", "na_f_equipment_rate",
                     "q_nope", "nav", "lock_version", "csrf_token", "email", "password", "uscc",
                     "employees", "revenue_wan", "town", "industry", "lang", "next", "step"]),
    st.text(min_size=1, max_size=20),
)  # fmt: skip
# MultiDict: the same field may come several times, as a tampering browser could send it.
form = st.lists(st.tuples(field_names, text), max_size=12).map(MultiDict)
NAV = st.sampled_from(["next", "prev", "save", "review", "goto-2", "goto-99999", "goto-x", MARK])

REQUESTS = {"count": 0}


@pytest.fixture
def fuzz_world(app, registry):
    enterprise = app.test_client()
    register(enterprise)
    draft = start(enterprise, "lianghua")
    with app_session(app) as s:
        s.add(
            User(email="bureau@jxj.example", password_hash=hash_password(PASSWORD), role="bureau")
        )
        s.add(User(email="admin@jxj.example", password_hash=hash_password(PASSWORD), role="admin"))
        s.commit()
        admin_id = s.scalar(select(User.id).where(User.email == "admin@jxj.example"))
    bureau, admin, anonymous = app.test_client(), app.test_client(), app.test_client()
    login(bureau, "bureau@jxj.example", PASSWORD)
    login(admin, "admin@jxj.example", PASSWORD)
    base = draft.rsplit("/page", 1)[0]
    return {"enterprise": enterprise, "bureau": bureau, "admin": admin, "anonymous": anonymous,
            "base": base, "admin_id": admin_id}  # fmt: skip


def _check(response) -> None:
    REQUESTS["count"] += 1
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code < 500, body[:2000]
    assert MARK not in body  # anything posted is escaped where it is shown
    assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")


def test_hostile_posts_never_break_the_app(fuzz_world):
    """At least 2,000 hostile requests: none answered with 5xx, nothing reflected unescaped."""
    sent_before = REQUESTS["count"]

    @settings(max_examples=420, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
    @given(data=form, nav=NAV, page=st.integers(-2, 8), query=form)
    def hostile(data, nav, page, query):
        w = fuzz_world
        pairs = MultiDict([*data.items(multi=True), ("nav", nav)])
        _check(w["enterprise"].post(f"{w['base']}/page/{page}", data=pairs))
        _check(w["anonymous"].post("/auth/register", data=data))
        _check(w["anonymous"].post("/auth/login", data=data))
        _check(w["bureau"].get("/bureau/enterprises", query_string=query))
        _check(w["admin"].get("/admin/audit", query_string=query))
        if page % 4 == 0:
            _check(w["enterprise"].post(f"{w['base']}/review", data=data))
            _check(w["enterprise"].post("/language", data=data))
            _check(w["bureau"].get("/bureau/", query_string=query))

    hostile()
    assert REQUESTS["count"] - sent_before >= 2000
