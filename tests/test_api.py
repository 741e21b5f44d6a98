"""The open API (/api/v1): tokens made on the account page, problem+json errors in both languages,
the enterprise endpoints driven the way an integrator's tool would, idempotent submit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from assessment.services.models import ApiToken, Assessment, AuditEvent, utcnow
from assessment.web.extensions import db
from tests.helpers import USCC_B, login, logout, register, typical_answers

TOKEN_RE = re.compile(r"cxa_[A-Za-z0-9_-]{20,}")
PROBLEM = "application/problem+json"


def make_token(client, scopes=("read:own", "write:own"), days="30", name="ERP sync") -> str:
    """Create a token on the account page (signed in) and read the secret shown once."""
    page = client.post("/account/tokens", data={"name": name, "scopes": list(scopes),
                                                 "days": days})  # fmt: skip
    assert page.status_code == 200
    match = TOKEN_RE.search(page.text)
    assert match, "the new token is shown on the page"
    return match.group(0)


def bearer(token: str, lang: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if lang:
        headers["Accept-Language"] = lang
    return headers


@pytest.fixture
def token(client) -> str:
    register(client)
    return make_token(client)


@pytest.fixture
def api(app):
    """A client with no session cookie: what an integrator's tool is."""
    return app.test_client()


def test_token_is_shown_once_stored_hashed_and_listed(client, app, token):
    again = client.get("/account/tokens")
    assert token not in again.text
    assert token[:12] in again.text and "ERP sync" in again.text
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash != token and len(row.token_hash) == 64
        assert row.scopes == ["read:own", "write:own"]
    assert "card-tokens" in client.get("/account/").text


def test_enterprise_user_cannot_take_bureau_scopes(client, app):
    register(client)
    page = client.post("/account/tokens", data={"name": "x", "scopes": ["bureau:read"],
                                                 "days": "30"})  # fmt: skip
    assert not TOKEN_RE.search(page.text)
    page = client.post("/account/tokens", data={"name": "x", "scopes": ["read:own"],
                                                 "days": "400"})  # fmt: skip
    assert not TOKEN_RE.search(page.text) and "366" in page.text


def test_session_cookie_never_authenticates(client, token):
    response = client.get("/api/v1/assessments")  # signed in, but no bearer token
    assert response.status_code == 401
    assert response.content_type == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_errors_are_problems_in_both_languages(api):
    zh = api.get("/api/v1/assessments", headers=bearer("cxa_wrong"))
    en = api.get("/api/v1/assessments", headers=bearer("cxa_wrong", "en"))
    assert zh.status_code == en.status_code == 401
    assert zh.json["title"] == "未认证" and en.json["title"] == "Not authenticated"
    assert zh.json["status"] == 401 and zh.json["type"].endswith("/401")
    missing = api.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.content_type == PROBLEM
    wrong = api.delete("/api/v1/questionnaires", headers=bearer("cxa_x"))
    assert wrong.status_code == 405 and wrong.content_type == PROBLEM
    assert "<html" not in (zh.text + missing.text + wrong.text).lower()


def test_revoked_and_expired_tokens_refused(client, app, api, token):
    assert api.get("/api/v1/assessments", headers=bearer(token)).status_code == 200
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        token_id = row.id
    client.post(f"/account/tokens/{token_id}/revoke")
    assert api.get("/api/v1/assessments", headers=bearer(token)).status_code == 401
    second = make_token(client, name="second")
    with app.app_context():
        row = db.session.scalars(select(ApiToken).where(ApiToken.name == "second")).one()
        row.expires_at = utcnow()
        db.session.commit()
    assert api.get("/api/v1/assessments", headers=bearer(second)).status_code == 401


def test_read_scope_cannot_write(client, api):
    register(client)
    reader = make_token(client, scopes=("read:own",))
    response = api.post("/api/v1/assessments", json={"questionnaire": "lianghua"},
                        headers=bearer(reader))  # fmt: skip
    assert response.status_code == 403 and response.content_type == PROBLEM
    assert api.get("/api/v1/questionnaires", headers=bearer(reader)).status_code == 200


def test_questionnaires_and_definition(api, token):
    listed = api.get("/api/v1/questionnaires", headers=bearer(token)).json
    current = next(q for q in listed if q["id"] == "lianghua" and q["current"])
    url = f"/api/v1/questionnaires/lianghua/versions/{current['version']}"
    definition = api.get(url, headers=bearer(token)).json
    assert definition["id"] == "lianghua" and definition["questions"]
    assert api.get("/api/v1/questionnaires/x/versions/1", headers=bearer(token)).status_code == 404


def _draft(api, token) -> dict:
    response = api.post("/api/v1/assessments", json={"questionnaire": "lianghua"},
                        headers=bearer(token))  # fmt: skip
    assert response.status_code == 201, response.json
    return response.json


def test_fill_check_conflict_submit_idempotent_result_pdf(app, api, token, registry):
    draft = _draft(api, token)
    assert _draft(api, token)["id"] == draft["id"]  # the open draft, not a second one
    questionnaire = registry.get("lianghua", draft["version"])
    answers = typical_answers(questionnaire)
    ids = list(answers)
    base = f"/api/v1/assessments/{draft['id']}"
    # Partial, last pages first.
    half = {qid: answers[qid] for qid in reversed(ids[len(ids) // 2 :])}
    saved = api.patch(f"{base}/answers", json={"lock_version": draft["lock_version"],
                                               "answers": half}, headers=bearer(token))  # fmt: skip
    assert saved.status_code == 200, saved.json
    assert all(saved.json["answers"].get(k) == v for k, v in half.items() if k in
               saved.json["answers"])  # fmt: skip
    lock = saved.json["lock_version"]
    # Every problem at once, nothing saved.
    first = questionnaire.questions[0].id
    bad = {first: "not-a-choice", "no_such_question": 1}
    checked = api.post(f"{base}/check", json={"answers": bad}, headers=bearer(token)).json
    assert not checked["valid"] and set(checked["errors"]) == {first, "no_such_question"}
    refused = api.patch(f"{base}/answers", json={"lock_version": lock, "answers": bad},
                        headers=bearer(token, "en"))  # fmt: skip
    assert refused.status_code == 422 and set(refused.json["errors"]) == set(bad)
    # Compare-and-set: a stale lock_version saves nothing and returns the draft now.
    stale = api.patch(f"{base}/answers", json={"lock_version": lock - 1, "answers": {}},
                      headers=bearer(token))  # fmt: skip
    assert stale.status_code == 409 and stale.json["current"]["lock_version"] == lock
    # Submit refused while required answers are missing.
    early = api.post(f"{base}/submit", headers=bearer(token))
    assert early.status_code == 422 and early.json["missing"]
    rest = {qid: answers[qid] for qid in ids[: len(ids) // 2]}
    done = api.patch(f"{base}/answers", json={"lock_version": lock, "answers": rest},
                     headers=bearer(token))  # fmt: skip
    assert done.status_code == 200 and done.json["missing"] == []
    key = {"Idempotency-Key": "submit-1"}
    first_submit = api.post(f"{base}/submit", headers=bearer(token) | key)
    retry = api.post(f"{base}/submit", headers=bearer(token) | key)
    assert first_submit.status_code == retry.status_code == 201
    assert first_submit.json == retry.json and first_submit.json["status"] == "submitted"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
    again = api.post(f"{base}/submit", headers=bearer(token))  # no key: already submitted
    assert again.status_code == 409
    result = api.get(f"{base}/result", headers=bearer(token)).json
    assert result["total"] == first_submit.json["total"]
    assert result["benchmarks"] and all(b["suppressed"] for b in result["benchmarks"].values())
    assert result["recommendations"] is not None and result["projections"] is not None
    pdf = api.get(f"{base}/report.pdf?lang=en", headers=bearer(token))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_same_idempotency_key_on_another_request_refused(client, api, token):
    draft = _draft(api, token)
    headers = bearer(token) | {"Idempotency-Key": "k1"}
    api.post(f"/api/v1/assessments/{draft['id']}/submit", headers=headers)  # 422: incomplete
    # A failed submit stores nothing: the key is still free.
    assert api.post(f"/api/v1/assessments/{draft['id']}/submit",
                    headers=headers).status_code == 422  # fmt: skip


def test_other_enterprise_assessment_is_404(client, app, api, token):
    draft = _draft(api, token)
    logout(client)
    register(client, uscc=USCC_B, email="b@example.com")
    login(client, "b@example.com")
    other = make_token(client)
    response = api.get(f"/api/v1/assessments/{draft['id']}", headers=bearer(other))
    assert response.status_code == 404 and draft["id"] not in response.text


def test_body_limits_and_media_type(make_app):
    app = make_app(API_MAX_BODY=1000)
    client, api = app.test_client(), app.test_client()
    register(client)
    token = make_token(client)
    big = api.post("/api/v1/assessments", data="x" * 2000, content_type="application/json",
                   headers=bearer(token))  # fmt: skip
    assert big.status_code == 413 and big.content_type == PROBLEM
    form = api.post("/api/v1/assessments", data="questionnaire=lianghua", headers=bearer(token),
                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert form.status_code == 415
    broken = api.post("/api/v1/assessments", data="{", content_type="application/json",
                      headers=bearer(token))  # fmt: skip
    assert broken.status_code in (400, 422) and broken.content_type == PROBLEM
    unknown = api.post("/api/v1/assessments", json={"questionnaire": "lianghua", "x": 1},
                       headers=bearer(token, "en"))  # fmt: skip
    assert unknown.status_code == 422 and unknown.json["errors"]["x"] == ["Unknown field."]


def test_rate_limit_per_token(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
    client, api = app.test_client(), app.test_client()
    register(client)
    token, other = make_token(client), make_token(client, name="other")
    codes = [api.get("/api/v1/assessments", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.get("/api/v1/assessments", headers=bearer(token))
    assert refused.content_type == PROBLEM and int(refused.headers["Retry-After"]) >= 1
    assert api.get("/api/v1/assessments", headers=bearer(other)).status_code == 200


def test_every_call_is_audited(app, api, token):
    api.get("/api/v1/assessments", headers=bearer(token))
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_call")).one()
        assert event.details["method"] == "GET" and event.details["token"]
        assert event.target_id == "/api/v1/assessments" and event.user_id is not None
