"""Service providers' API tokens: made on /account/tokens with the own scopes, they reach the
enterprise endpoints for the enterprise named in `X-Enterprise` while its grant is in force —
checked on every call, so a revoked or expired grant answers 403 at once — and what they do is
audited with the provider as actor and marked "由 XX 服务商协助填写" as on the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from assessment.services.models import AuditEvent, ProviderGrant, utcnow
from tests.conftest import app_session
from tests.helpers import PASSWORD, USCC_B, login, typical_answers
from tests.test_api import PROBLEM, TOKEN_RE, bearer, make_token
from tests.test_providers import MARK, ORG, PROVIDER, enterprise_id, grant
from tests.test_providers import world as world  # noqa: F401 - the fixture, reused


def _for(token: str, public_id: str | None, lang: str | None = None) -> dict:
    headers = bearer(token, lang)
    return headers | ({"X-Enterprise": public_id} if public_id else {})


def _provider_token(app, owner_a) -> tuple[str, str, str]:
    """A's owner grants the provider; the provider makes a read+write token (on a fresh
    sign-in); returns the token and the ids of A and B."""
    assert grant(owner_a).status_code == 302
    provider = app.test_client()
    login(provider, PROVIDER, PASSWORD)
    page = provider.get("/account/tokens")
    a, b = enterprise_id(app), enterprise_id(app, USCC_B)
    assert page.status_code == 200 and a in page.text and b not in page.text  # its enterprises
    assert "X-Enterprise" in page.text
    return make_token(provider), a, b


def test_provider_fills_and_submits_for_a_granting_enterprise(app, world, registry):
    owner_a, _owner_b, _provider = world
    token, a, b = _provider_token(app, owner_a)
    api = app.test_client()
    assert api.get("/api/v1/questionnaires", headers=bearer(token)).status_code == 200
    unnamed = api.get("/api/v1/assessments", headers=bearer(token, "en"))
    assert unnamed.status_code == 422 and "X-Enterprise" in unnamed.json["errors"]
    other = api.post("/api/v1/assessments", json={"questionnaire": "lianghua"},
                     headers=_for(token, b))  # fmt: skip
    assert other.status_code == 403 and other.content_type == PROBLEM
    draft = api.post("/api/v1/assessments", json={"questionnaire": "lianghua"},
                     headers=_for(token, a)).json  # fmt: skip
    answers = typical_answers(registry.get("lianghua", draft["version"]))
    base = f"/api/v1/assessments/{draft['id']}"
    saved = api.patch(f"{base}/answers", json={"lock_version": draft["lock_version"],
                                               "answers": answers}, headers=_for(token, a))  # fmt: skip
    assert saved.status_code == 200 and saved.json["assisted_by"] == ORG
    # A's draft named with B's id: B has no grant for the provider.
    assert api.get(base, headers=_for(token, b)).status_code == 403
    done = api.post(f"{base}/submit", headers=_for(token, a))
    assert done.status_code == 201, done.json
    result = api.get(f"{base}/result", headers=_for(token, a)).json
    assert result["assisted_by"] == ORG and result["assisted_note"] == MARK
    with app_session(app) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.user_id.is_not(None))
                           .order_by(AuditEvent.id)).all()  # fmt: skip
        calls = [e for e in events if e.action == "api_call" and e.details.get("enterprise")]
        assert calls and {e.details["enterprise"] for e in calls} == {a}
        assert all(e.details["provider"] == ORG for e in calls)
        kinds = {e.action for e in events}
        assert {"provider_save", "provider_submit", "provider_denied"} <= kinds


def test_revoked_or_expired_grant_refused_on_the_next_call(app, world, registry):
    owner_a, _owner_b, _provider = world
    token, a, _b = _provider_token(app, owner_a)
    api = app.test_client()
    draft = api.post("/api/v1/assessments", json={"questionnaire": "lianghua"},
                     headers=_for(token, a)).json  # fmt: skip
    url = f"/api/v1/assessments/{draft['id']}"
    answers = typical_answers(registry.get("lianghua", draft["version"]))
    api.patch(f"{url}/answers", json={"lock_version": draft["lock_version"], "answers": answers},
              headers=_for(token, a))  # fmt: skip
    keyed = _for(token, a) | {"Idempotency-Key": "k"}
    assert api.post(f"{url}/submit", headers=keyed).status_code == 201
    assert api.get(url, headers=_for(token, a)).status_code == 200
    with app_session(app) as s:
        s.execute(update(ProviderGrant).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    expired = api.get(url, headers=_for(token, a, "en"))
    assert expired.status_code == 403 and expired.content_type == PROBLEM
    assert "grant" in expired.json["detail"] and "answers" not in expired.text
    with app_session(app) as s:
        s.execute(update(ProviderGrant).values(expires_at=utcnow() + timedelta(days=3),
                                               revoked_at=utcnow()))  # fmt: skip
        s.commit()
    for method, path in (("GET", url), ("POST", f"{url}/submit"), ("GET", "/api/v1/assessments")):
        refused = api.open(path, method=method, headers=_for(token, a))
        assert refused.status_code == 403, path
    # The retried submit is refused too, not answered from its stored response.
    assert api.post(f"{url}/submit", headers=keyed).status_code == 403


def test_provider_token_page_offers_the_own_scopes_only(app, world):
    owner_a, _owner_b, provider = world
    page = provider.post("/account/tokens", data={"name": "x", "scopes": ["bureau:read"],
                                                   "days": "30"})  # fmt: skip
    assert page.status_code == 200 and not TOKEN_RE.search(page.text)
    assert 'value="write:own"' in page.text and 'value="bureau:read"' not in page.text
