"""Schemathesis drives every operation of /api/v1 from its OpenAPI document, in-process (WSGI):
with a valid token no 5xx and no response outside the documented schema; with an invalid or
out-of-scope token 401/403 and never data. Each fuzzed case is also sent against a real draft and
a real submitted assessment of the token's enterprise, so the paths past the 404 are fuzzed too.
The stateful run follows the document's links (web/api/links.py): create a draft → save answers →
check → submit → result and PDF, as an enterprise and as a service provider acting for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from assessment.services import api_tokens, surveys
from assessment.services.accounts import create_provider_user
from assessment.services.models import ProviderGrant, User, utcnow
from assessment.web.extensions import db
from tests.helpers import register, typical_answers

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]  # fmt: skip
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip
# Stateful: a few scenarios of a few linked steps each (bounded: about a minute at most).
STATEFUL = settings(max_examples=6, stateful_step_count=6, deadline=None, derandomize=True,
                    phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
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
        # Complete but not submitted: the first submit a stateful scenario makes succeeds and
        # its links lead on to the result and the PDF.
        draft.answers = typical_answers(questionnaire)
        full = api_tokens.create(db.session, user, "fuzz", ["read:own", "write:own"], 30).secret
        reader = api_tokens.create(db.session, user, "read", ["read:own"], 30).secret
        analyst = User(email="bureau@jxj.example", password_hash="x", role="bureau")
        db.session.add(analyst)
        db.session.commit()
        bureau = api_tokens.create(db.session, analyst, "b", list(api_tokens.BUREAU_SCOPES), 30)
        provider = create_provider_user(db.session, "p@xx.example", "Provider-Pass-2025", "XX科技")
        db.session.add(ProviderGrant(enterprise_id=user.enterprise_id, provider_id=provider.id,
                                     expires_at=utcnow() + timedelta(days=30)))  # fmt: skip
        db.session.commit()
        helper = api_tokens.create(db.session, provider, "p", list(api_tokens.OWN_SCOPES), 30)
        return {
            "ids": [draft.public_id, done.public_id],
            "full": full,
            "reader": reader,
            "bureau": bureau.secret,
            "provider": helper.secret,
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


@pytest.mark.parametrize("who", ["full", "provider"])
def test_linked_operations_statefully_no_5xx_and_documented_responses(app, world, who):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = _bearer(world[who]) | ({"X-Enterprise": world["enterprise"]} if who == "provider"
                                     else {})  # fmt: skip
    calls: list[tuple[str, int]] = []

    class Scenarios(schema.as_state_machine()):
        def before_call(self, case):
            # A draft of a real questionnaire, so that every scenario can follow the links from it
            # (the stateless runs fuzz this body).
            if case.method == "POST" and case.path == "/api/v1/assessments":
                case.body = {"questionnaire": "lianghua"}

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            calls.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(settings=STATEFUL)
    reached = {label for label, status in calls if status < 300}
    assert all(status < 500 for _label, status in calls)
    # The chain really ran: a draft, a submit, and the result or the PDF behind it.
    assert {"POST /api/v1/assessments", "POST /api/v1/assessments/{public_id}/submit"} <= reached
    assert reached & {"GET /api/v1/assessments/{public_id}/result",
                      "GET /api/v1/assessments/{public_id}/report.pdf"}, sorted(reached)  # fmt: skip
    print(len(calls), "calls")
