"""The API's access matrix: every /api/v1 operation with every kind of token — enterprise A's and
B's own tokens, a service provider's token naming A (granted), B (not granted) or nobody, a read-only
enterprise token, the bureau's, a town officer's (A's town) and a bureau token without the export
scope. A session cookie never authenticates (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from assessment.services import api_tokens, surveys
from assessment.services.accounts import create_provider_user
from assessment.services.models import Enterprise, ProviderGrant, User, utcnow
from tests.conftest import app_session
from tests.helpers import USCC_B, register, typical_answers

KINDS = ("ent_a", "ent_b", "reader_a", "prov_a", "prov_b", "prov_none", "bureau", "officer",
         "bureau_read")  # fmt: skip
OWN = ("read:own", "write:own")
BUREAU = ("bureau:read", "bureau:export")
# Enterprise endpoints on A's draft or A's submitted assessment: A's users and A's provider reach
# them; B gets 404 (ids reveal nothing); a provider naming B (no grant) 403, naming nobody 422;
# staff tokens lack the own scopes: 403.
_ON_A = {"ent_a": 200, "ent_b": 404, "reader_a": 200, "prov_a": 200, "prov_b": 403,
         "prov_none": 422, "bureau": 403, "officer": 403, "bureau_read": 403}  # fmt: skip
_OWN_LIST = _ON_A | {"ent_b": 200}
_WRITE_A = _ON_A | {"reader_a": 403}
_ANY_OWN = dict.fromkeys(KINDS, 403) | dict.fromkeys(("ent_a", "ent_b", "reader_a", "prov_a",
                                                      "prov_b", "prov_none"), 200)  # fmt: skip
_STAFF = dict.fromkeys(KINDS, 403) | {"bureau": 200, "officer": 200, "bureau_read": 200}
_EXPORT = _STAFF | {"bureau_read": 403}
_START = _OWN_LIST | {"ent_a": 201, "ent_b": 201, "prov_a": 201, "reader_a": 403}
_SUBMIT = _WRITE_A | {"ent_a": 422, "prov_a": 422}  # the draft is incomplete: 422 when reached
_NO_JOB = _EXPORT | {"bureau": 404, "officer": 404}
_NO_CAMPAIGN = _STAFF | {"bureau": 404, "officer": 404, "bureau_read": 404}
EXPECTED = {
    "api_enterprise.questionnaires": ("GET", "/questionnaires", _ANY_OWN),
    "api_enterprise.definition": ("GET", "/questionnaires/lianghua/versions/2025.1", _ANY_OWN),
    "api_enterprise.assessments": ("GET", "/assessments", _OWN_LIST),
    "api_enterprise.start": ("POST", "/assessments", _START),
    "api_enterprise.show": ("GET", "/assessments/{draft}", _ON_A),
    "api_enterprise.save": ("PATCH", "/assessments/{draft}/answers", _WRITE_A),
    "api_enterprise.check": ("POST", "/assessments/{draft}/check", _ON_A),
    "api_enterprise.submit": ("POST", "/assessments/{draft}/submit", _SUBMIT),
    "api_enterprise.result": ("GET", "/assessments/{submitted}/result", _ON_A),
    "api_enterprise.report": ("GET", "/assessments/{submitted}/report.pdf", _ON_A),
    "api_bureau.enterprises": ("GET", "/bureau/enterprises", _STAFF),
    "api_bureau.enterprise": ("GET", "/bureau/enterprises/{enterprise}", _STAFF),
    "api_bureau.dashboard": ("GET", "/bureau/dashboard", _STAFF),
    "api_bureau.progress": ("GET", "/bureau/campaigns/nope/progress", _NO_CAMPAIGN),
    "api_exports.csv": ("GET", "/bureau/export.csv", _EXPORT),
    "api_exports.xlsx": ("GET", "/bureau/export.xlsx", _EXPORT),
    "api_exports.reports": ("POST", "/bureau/reports", _EXPORT | {"bureau": 202, "officer": 202}),
    "api_exports.job": ("GET", "/bureau/jobs/nope", _NO_JOB),
    "api_exports.job_download": ("GET", "/bureau/jobs/nope/reports.zip", _NO_JOB),
}


@pytest.fixture
def world(app, registry):
    """A (zhouxiang) with a submitted and a draft lianghua assessment, B, a provider granted by
    A only, the bureau, A's town officer, and a token of each kind."""
    register(app.test_client())
    register(app.test_client(), uscc=USCC_B, email="b@example.com")
    questionnaire = registry.get("lianghua")
    with app_session(app) as s:
        a, b = s.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        done = surveys.start(s, a, questionnaire)
        done.answers = typical_answers(questionnaire)
        s.commit()
        surveys.submit(s, done, questionnaire)
        draft = surveys.start(s, a, questionnaire)
        provider = create_provider_user(s, "p@xx.example", "Provider-Pass-2025", "XX科技")
        s.add(ProviderGrant(enterprise_id=a.id, provider_id=provider.id,
                            expires_at=utcnow() + timedelta(days=30)))  # fmt: skip
        staff = {role: User(email=f"{role}@jxj.example", password_hash="x", role=role)
                 for role in ("bureau", "town_officer")}  # fmt: skip
        staff["town_officer"].towns = [a.town]
        s.add_all(staff.values())
        s.commit()
        users = {"ent_a": a.users[0], "ent_b": b.users[0], "reader_a": a.users[0],
                 "prov_a": provider, "prov_b": provider, "prov_none": provider,
                 "bureau": staff["bureau"], "officer": staff["town_officer"],
                 "bureau_read": staff["bureau"]}  # fmt: skip
        scopes = {"reader_a": ("read:own",), "bureau": BUREAU, "officer": BUREAU,
                  "bureau_read": ("bureau:read",)}  # fmt: skip
        tokens = {kind: api_tokens.create(s, user, kind, list(scopes.get(kind, OWN)), 30).secret
                  for kind, user in users.items()}  # fmt: skip
        names = {"prov_a": a.public_id, "prov_b": b.public_id}
        ids = {"draft": draft.public_id, "submitted": done.public_id,
               "enterprise": a.public_id, "lock": draft.lock_version}  # fmt: skip
    return tokens, names, ids


BODIES = {
    "api_enterprise.start": lambda ids: {"questionnaire": "lianghua"},
    "api_enterprise.save": lambda ids: {"lock_version": ids["lock"], "answers": {}},
    "api_enterprise.check": lambda ids: {"answers": {}},
    "api_exports.reports": lambda ids: {"q": "lianghua"},
}


def test_every_api_operation_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    documented = {"api-docs.openapi_json", "api_reference.reference"}
    assert endpoints - documented == set(EXPECTED)
    assert all(set(want) == set(KINDS) for _m, _p, want in EXPECTED.values())


def test_every_api_operation_for_every_kind_of_token(app, world):
    tokens, names, ids = world
    api = app.test_client()
    failures = []
    for endpoint, (method, path, expected) in EXPECTED.items():
        url = "/api/v1" + path.format(**ids)
        for kind in KINDS:
            headers = {"Authorization": f"Bearer {tokens[kind]}"}
            if kind in names:
                headers["X-Enterprise"] = names[kind]
            body = BODIES.get(endpoint)
            response = api.open(url, method=method, headers=headers,
                                json=body(ids) if body else None)  # fmt: skip
            if response.status_code != expected[kind]:
                failures.append(f"{method} {url} as {kind}: {response.status_code}, "
                                f"expected {expected[kind]}")  # fmt: skip
    assert failures == []
