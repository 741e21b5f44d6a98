"""Schemathesis drives every operation of /api/v1 from its OpenAPI document, in-process (WSGI):
with a valid token no 5xx and no response outside the documented schema; with an invalid or
out-of-scope token 401/403 and never data. Each fuzzed case is also sent against a real draft and
a real submitted assessment of the token's enterprise, so the paths past the 404 are fuzzed too."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from assessment.services import api_tokens, surveys
from assessment.services.models import User
from assessment.web.extensions import db
from tests.helpers import register, typical_answers

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]  # fmt: skip
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip
ONCE = settings(max_examples=2, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip


@pytest.fixture
def world(app):
    """An enterprise with a draft and a submitted assessment, and tokens: all own scopes, read
    only, and a bureau user's token."""
    client = app.test_client()
    register(client)
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        registry = app.extensions["questionnaires"]
        questionnaire = registry.get("lianghua")
        done = surveys.start(db.session, user.enterprise, questionnaire)
        done.answers = typical_answers(questionnaire)
        db.session.commit()
        surveys.submit(db.session, done, questionnaire, by=user)
        draft = surveys.start(db.session, user.enterprise, questionnaire)
        full = api_tokens.create(db.session, user, "fuzz", ["read:own", "write:own"], 30).secret
        reader = api_tokens.create(db.session, user, "read", ["read:own"], 30).secret
        analyst = User(email="bureau@jxj.example", password_hash="x", role="bureau")
        db.session.add(analyst)
        db.session.commit()
        bureau = api_tokens.create(db.session, analyst, "b", list(api_tokens.BUREAU_SCOPES), 30)
        return {
            "ids": [draft.public_id, done.public_id],
            "full": full,
            "reader": reader,
            "bureau": bureau.secret,
            "enterprise": user.enterprise.public_id,
        }


def operations(app, method: tuple[str, ...] = ()) -> list:
    """Every operation of the app's OpenAPI document (optionally only these methods)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if not method or op.method.upper() in method]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_valid_token_no_5xx_and_documented_responses(app, world):
    for operation in operations(app):

        @FUZZ
        @given(case=operation.as_strategy())
        def fuzz(case):
            bureau = case.path.startswith("/api/v1/bureau")
            token = world["bureau"] if bureau else world["full"]
            case.call_and_validate(headers=_bearer(token), checks=CHECKS)
            if "public_id" in (case.path_parameters or {}):
                for public_id in [world["enterprise"]] if bureau else world["ids"]:
                    case.path_parameters["public_id"] = public_id
                    case.call_and_validate(headers=_bearer(token), checks=CHECKS)

        fuzz()


def test_invalid_token_gets_401_and_no_data(app, world):
    for operation in operations(app):

        @ONCE
        @given(case=operation.as_strategy())
        def fuzz(case):
            if "public_id" in (case.path_parameters or {}):
                case.path_parameters["public_id"] = world["ids"][1]
            response = case.call(headers=_bearer("cxa_" + "x" * 43))
            assert response.status_code == 401, response.text
            assert world["ids"][1] not in response.text and "answers" not in response.text
            assert "application/problem+json" in str(response.headers).lower()

        fuzz()


def test_read_only_token_cannot_write(app, world):
    for operation in operations(app, ("POST", "PATCH")):

        @ONCE
        @given(case=operation.as_strategy())
        def fuzz(case):
            if "public_id" in (case.path_parameters or {}):
                case.path_parameters["public_id"] = world["ids"][0]
            response = case.call(headers=_bearer(world["reader"]))
            if case.path.endswith("/check"):  # checking saves nothing: the read scope
                assert response.status_code != 403
            else:
                assert response.status_code == 403, response.text
                assert "lock_version" not in response.text

        fuzz()
