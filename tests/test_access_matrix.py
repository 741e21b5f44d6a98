"""Every route × {anonymous, enterprise A, enterprise B, bureau, admin, a service provider that
enterprise A (only) granted access}, from app.url_map, so a new route cannot escape review; others'
ids give 404; ids in URLs are not guessable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from assessment.services.accounts import create_provider_user, hash_password
from assessment.services.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignTarget,
    Enterprise,
    ProviderGrant,
    User,
    utcnow,
)
from assessment.web.access import own_assessment
from assessment.web.extensions import db

from .conftest import app_session
from .helpers import USCC_A, USCC_B, login, register, save_page, start, typical_answers

PASSWORD = "Matrix-Pass-2025"
LOGIN = "LOGIN"  # a redirect to the sign-in page
ROLES = ("anon", "ent_a", "ent_b", "bureau", "admin", "provider", "officer")

# endpoint → (method, expected per role). Numbers are status codes.
EXPECTED = {
    "main.index": (
        "GET",
        {"anon": 200, "ent_a": 302, "ent_b": 302, "bureau": 200, "admin": 200, "provider": 302},
    ),
    "main.privacy": ("GET", dict.fromkeys(ROLES, 200)),
    "main.healthz": ("GET", dict.fromkeys(ROLES, 200)),
    "main.set_language": ("POST", dict.fromkeys(ROLES, 302)),
    "static": ("GET", dict.fromkeys(ROLES, 200)),
    "auth.login": (
        "GET",
        {"anon": 200, "ent_a": 302, "ent_b": 302, "bureau": 302, "admin": 302, "provider": 302},
    ),
    "auth.register": (
        "GET",
        {"anon": 200, "ent_a": 302, "ent_b": 302, "bureau": 302, "admin": 302, "provider": 302},
    ),
    "auth.logout": (
        "POST",
        {"anon": LOGIN, "ent_a": 302, "ent_b": 302, "bureau": 302, "admin": 302, "provider": 302},
    ),
    "account.index": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 200, "admin": 200, "provider": 200},
    ),
    # Passwords and addresses: forgot/reset/verify are for everyone (a made-up link: 400, with
    # its message); changing one's password and sending the link again need a signed-in user.
    "auth.forgot": ("GET", dict.fromkeys(ROLES, 200)),
    "auth.reset": ("GET", dict.fromkeys(ROLES, 400)),
    "auth.verify": ("GET", dict.fromkeys(ROLES, 400)),
    "auth.resend_verification": ("POST", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    "account.password": ("GET", {**dict.fromkeys(ROLES, 200), "anon": LOGIN}),
    "survey.home": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 200},
    ),
    "survey.start": (
        "POST",
        {"anon": LOGIN, "ent_a": 302, "ent_b": 302, "bureau": 403, "admin": 403, "provider": 302},
    ),
    "survey.page": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 404, "bureau": 403, "admin": 403, "provider": 200},
    ),
    "survey.review": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 404, "bureau": 403, "admin": 403, "provider": 200},
    ),
    "results.show": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 404, "bureau": 200, "admin": 200, "provider": 200},
    ),
    "reports.download": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 404, "bureau": 200, "admin": 200, "provider": 200},
    ),
    "bureau.dashboard": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 200, "admin": 200, "provider": 403},
    ),
    "bureau.enterprises": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 200, "admin": 200, "provider": 403},
    ),
    "bureau.enterprise": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 200, "admin": 200, "provider": 403},
    ),
    "bureau.export": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 200, "admin": 200, "provider": 403},
    ),
    "bureau.batch_reports": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 302, "admin": 302, "provider": 403},
    ),
    "bureau.job": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 404, "admin": 404, "provider": 403},
    ),
    "bureau.job_download": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 404, "admin": 404, "provider": 403},
    ),
    "admin.users": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 200, "provider": 403},
    ),
    "admin.audit": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 200, "provider": 403},
    ),
    "admin.deactivate": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 302, "provider": 403},
    ),
    "admin.activate": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 302, "provider": 403},
    ),
    "admin.reset_password": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 200, "provider": 403},
    ),
    # The target has no two-step verification: nothing to reset, back to the list.
    "admin.reset_mfa": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 302, "provider": 403},
    ),
    # Two-step verification: everyone signed in has a security page; confirming, new recovery
    # codes and turning off go back to it when there is nothing to confirm or turn off. The
    # sign-in step sends whoever has no sign-in waiting to the sign-in page (signed in: home).
    "mfa.security": ("GET", {**dict.fromkeys(ROLES, 200), "anon": LOGIN}),
    "mfa.start": ("POST", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    "mfa.confirm": ("POST", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    "mfa.regenerate": ("POST", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    "mfa.disable": ("POST", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    "mfa.challenge": ("GET", {**dict.fromkeys(ROLES, 302), "anon": LOGIN}),
    # Service providers: the owner's grants (the revoked one: nothing changes), the provider's own
    # pages (acting for A, which granted it; provider.stop runs before the survey rows, whose
    # assessment lookups make it act for A again).
    "grants.index": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 403},
    ),
    "grants.create": (
        "POST",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 403},
    ),
    "grants.revoke": (
        "POST",
        {"anon": LOGIN, "ent_a": 302, "ent_b": 404, "bureau": 403, "admin": 403, "provider": 403},
    ),
    # Colleagues: the team page (members read it), the owner's actions (an empty post comes back
    # with its errors; a colleague or invitation of no enterprise of theirs: 404), one's own
    # name, and an invitation link (an unknown token: 404 for everyone).
    "team.index": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 200,
            "ent_b": 200,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.invite": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 200,
            "ent_b": 200,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.revoke": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 404,
            "ent_b": 404,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.remove": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 404,
            "ent_b": 404,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.transfer": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 404,
            "ent_b": 404,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.rename": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 200,
            "ent_b": 200,
            "bureau": 403,
            "admin": 403,
            "provider": 403,
            "officer": 403,
        },
    ),
    "team.accept": ("GET", dict.fromkeys(ROLES, 404)),
    "provider.home": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 403, "provider": 200},
    ),
    "provider.act": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 403, "provider": 302},
    ),
    "provider.stop": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 403, "provider": 302},
    ),
    # The enterprise profile (the owner edits; an empty post comes back with its errors), my
    # data, and an admin's page of one enterprise (an empty correction comes back with errors).
    "profile.show": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 403},
    ),
    "profile.update": (
        "POST",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 403},
    ),
    "my_data.download": (
        "GET",
        {"anon": LOGIN, "ent_a": 200, "ent_b": 200, "bureau": 403, "admin": 403, "provider": 403},
    ),
    "admin_enterprises.show": (
        "GET",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 200, "provider": 403},
    ),
    "admin_enterprises.correct": (
        "POST",
        {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "bureau": 403, "admin": 200, "provider": 403},
    ),
    # Review of campaign submissions (A's cloud submission waits in review): the queue and one
    # submission for readers; a decision without a button decides nothing (the page again);
    # correcting a submission that was not returned goes back home with the reason.
    "review.queue": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 200,
        },
    ),
    "review.show": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 200,
        },
    ),
    "review.decide": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 403,
        },
    ),
    "review.correct": (
        "POST",
        {
            "anon": LOGIN,
            "ent_a": 302,
            "ent_b": 404,
            "bureau": 403,
            "admin": 403,
            "provider": 302,
            "officer": 403,
        },
    ),
    # A campaign's progress and its laggards, for readers (the officer: of A's town).
    "campaign_progress.index": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 200,
        },
    ),
    "campaign_progress.show": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 200,
        },
    ),
    "campaign_progress.laggards_export": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 200,
            "admin": 200,
            "provider": 403,
            "officer": 200,
        },
    ),
    # An admin sets a town officer's towns.
    "officers.towns": (
        "GET",
        {
            "anon": LOGIN,
            "ent_a": 403,
            "ent_b": 403,
            "bureau": 403,
            "admin": 200,
            "provider": 403,
            "officer": 403,
        },
    ),
}
# Campaigns: the bureau's (town officers see their progress only); an unknown upload token goes
# back to the upload form; no unregistered target: no letters, back to the campaign. Joining: the
# matrix's target is bound to A already, so its link says so; the signed-in go home.
_CAMPAIGN_STAFF = {"anon": LOGIN, "ent_a": 403, "ent_b": 403, "provider": 403, "officer": 403}
EXPECTED |= {
    "campaigns.index": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.create": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.show": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.edit": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.template": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.upload": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.preview": ("GET", {**_CAMPAIGN_STAFF, "bureau": 302, "admin": 302}),
    "campaigns.commit": ("POST", {**_CAMPAIGN_STAFF, "bureau": 302, "admin": 302}),
    "campaigns.letters": ("GET", {**_CAMPAIGN_STAFF, "bureau": 302, "admin": 302}),
    "campaigns.mail_merge": ("GET", {**_CAMPAIGN_STAFF, "bureau": 200, "admin": 200}),
    "campaigns.remind": ("POST", {**_CAMPAIGN_STAFF, "bureau": 302, "admin": 302}),
    "join.enter": ("GET", {**dict.fromkeys(ROLES, 302), "anon": 200}),
    "join.register": ("GET", {**dict.fromkeys(ROLES, 302), "anon": 200}),
}

# The API (issue 16): tokens on the account area (a token id that is not yours: 404); /api/v1
# never accepts a session cookie: 401 for every role; the OpenAPI document and its reference page
# are public. What each kind of token reaches: tests/test_api_access_matrix.py.
_API_401 = dict.fromkeys(ROLES, 401)
EXPECTED |= {
    "api_tokens.index": ("GET", {**dict.fromkeys(ROLES, 200), "anon": LOGIN}),
    "api_tokens.revoke": ("POST", {**dict.fromkeys(ROLES, 404), "anon": LOGIN}),
    "api-docs.openapi_json": ("GET", dict.fromkeys(ROLES, 200)),
    "api_reference.reference": ("GET", dict.fromkeys(ROLES, 200)),
    "api_enterprise.questionnaires": ("GET", _API_401),
    "api_enterprise.definition": ("GET", _API_401),
    "api_enterprise.assessments": ("GET", _API_401),
    "api_enterprise.start": ("POST", _API_401),
    "api_enterprise.show": ("GET", _API_401),
    "api_enterprise.save": ("PATCH", _API_401),
    "api_enterprise.check": ("POST", _API_401),
    "api_enterprise.submit": ("POST", _API_401),
    "api_enterprise.result": ("GET", _API_401),
    "api_enterprise.report": ("GET", _API_401),
    "api_bureau.enterprises": ("GET", _API_401),
    "api_bureau.enterprise": ("GET", _API_401),
    "api_bureau.dashboard": ("GET", _API_401),
    "api_exports.csv": ("GET", _API_401),
    "api_exports.xlsx": ("GET", _API_401),
    "api_exports.reports": ("POST", _API_401),
    "api_exports.job": ("GET", _API_401),
    "api_exports.job_download": ("GET", _API_401),
    "api_bureau.progress": ("GET", _API_401),
}

# The town officer of zhouxiang (A's and B's town) on the rows above without one: the bureau's
# reading views of its town (results and PDFs of A, batch reports, its own jobs only), nothing of
# the enterprises' own, the providers' or the admins' pages.
OFFICER = {
    "main.index": 200, "auth.login": 302, "auth.register": 302, "auth.logout": 302,
    "account.index": 200, "survey.home": 403, "survey.start": 403, "survey.page": 403,
    "survey.review": 403, "results.show": 200, "reports.download": 200,
    "bureau.dashboard": 200, "bureau.enterprises": 200, "bureau.enterprise": 200,
    "bureau.export": 200, "bureau.batch_reports": 302, "bureau.job": 404,
    "bureau.job_download": 404, "admin.users": 403, "admin.audit": 403, "admin.deactivate": 403,
    "admin.activate": 403, "admin.reset_password": 403, "admin.reset_mfa": 403,
    "grants.index": 403, "grants.create": 403, "grants.revoke": 403, "provider.home": 403,
    "provider.act": 403, "provider.stop": 403, "profile.show": 403, "profile.update": 403,
    "my_data.download": 403, "admin_enterprises.show": 403, "admin_enterprises.correct": 403,
    "team.index": 403, "team.invite": 403, "team.revoke": 403, "team.remove": 403,
    "team.transfer": 403, "team.rename": 403,
}  # fmt: skip
for _endpoint, _status in OFFICER.items():
    if _endpoint in EXPECTED:
        EXPECTED[_endpoint][1].setdefault("officer", _status)


@pytest.fixture
def world(app, registry):
    """Enterprise A with a submitted cloud assessment and a lianghua draft; B; bureau; admin; a
    service provider acting for A, which granted it access (and once revoked an earlier grant)."""
    clients = {role: app.test_client() for role in ROLES}
    register(clients["ent_a"])
    cloud = registry.get("cloud")
    url = start(clients["ent_a"], "cloud")
    base = url.rsplit("/", 1)[0]
    for index in range(len(cloud.pages)):
        save_page(clients["ent_a"], f"{base}/{index}", cloud, index, typical_answers(cloud))
    clients["ent_a"].post(base.rsplit("/page", 1)[0] + "/review")
    start(clients["ent_a"], "lianghua")
    register(clients["ent_b"], uscc=USCC_B, email="b@example.com")
    with app_session(app) as s:
        for email, role in (
            ("bureau@jxj.example", "bureau"),
            ("admin@jxj.example", "admin"),
            ("target@jxj.example", "bureau"),
        ):
            s.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        s.add(User(email="officer@jxj.example", password_hash=hash_password(PASSWORD),
                   role="town_officer", towns=["zhouxiang"]))  # fmt: skip
        s.commit()
        a = s.scalar(select(Enterprise).where(Enterprise.uscc == USCC_A))
        submitted = s.scalar(
            select(Assessment).where(
                Assessment.enterprise_id == a.id, Assessment.status == "submitted"
            )
        )
        draft = s.scalar(
            select(Assessment).where(Assessment.enterprise_id == a.id, Assessment.status == "draft")
        )
        target = s.scalar(select(User.id).where(User.email == "target@jxj.example"))
        provider = create_provider_user(s, "provider@xx.example", PASSWORD, "XX科技")
        s.add(ProviderGrant(enterprise_id=a.id, provider_id=provider.id, expires_at=utcnow()))
        s.add(ProviderGrant(enterprise_id=a.id, provider_id=provider.id,
                            expires_at=utcnow() + timedelta(days=30)))  # fmt: skip
        s.commit()
        ended = s.scalar(select(ProviderGrant.id).order_by(ProviderGrant.id).limit(1))
        campaign = _campaign_with_submission_in_review(s, a, submitted)
        ids = {
            "submitted": submitted.public_id,
            "draft": draft.public_id,
            "enterprise": a.public_id,
            "target": target,
            "grant": ended,
            "campaign": campaign.public_id,
            "officer": s.scalar(select(User.id).where(User.email == "officer@jxj.example")),
        }
    login(clients["bureau"], "bureau@jxj.example", PASSWORD)
    login(clients["admin"], "admin@jxj.example", PASSWORD)
    login(clients["provider"], "provider@xx.example", PASSWORD)
    assert clients["provider"].post(f"/provider/act/{ids['enterprise']}").status_code == 302
    login(clients["officer"], "officer@jxj.example", PASSWORD)
    return clients, ids


def _campaign_with_submission_in_review(s, enterprise, submitted) -> Campaign:
    """A running cloud campaign with A as its bound target, A's submission waiting in review."""
    today = date.today()
    campaign = Campaign(name="矩阵任务", questionnaire_ids=["cloud"], starts_on=today - timedelta(days=5),
                        ends_on=today + timedelta(days=5))  # fmt: skip
    s.add(campaign)
    s.add(CampaignTarget(campaign=campaign, uscc=enterprise.uscc, name=enterprise.name,
                         town=enterprise.town, industry=enterprise.industry,
                         invite_code="MATRIX000001", enterprise_id=enterprise.id))  # fmt: skip
    s.flush()
    submitted.campaign_id, submitted.review_status = campaign.id, "pending"
    s.commit()
    return campaign


def url_for_rule(rule, ids) -> str:
    values = {
        "public_id": ids["draft"] if rule.endpoint.startswith("survey.") else
        ids["enterprise"] if rule.endpoint in ("bureau.enterprise", "provider.act") else
        ids["enterprise"] if rule.endpoint.startswith("admin_enterprises.") else
        "no-such-job" if rule.endpoint.startswith("bureau.job") else ids["submitted"],
        "index": 0, "fmt": "csv", "user_id": ids["target"], "questionnaire_id": "lianghua",
        "filename": "css/app.css", "grant_id": ids["grant"],
        "invitation_id": 2**31 - 1, "token": "no-such-invitation",
    }  # fmt: skip
    if rule.endpoint.startswith("campaign_progress."):
        values["public_id"] = ids["campaign"]
    if rule.endpoint.startswith("campaigns."):
        values["public_id"] = ids["campaign"]
    values["code"] = "MATRIX000001"  # the invitation code of the campaign's target (A)
    values |= {"token_id": 2**31 - 1, "qid": "lianghua", "version": "2025.1"}  # the API's
    if rule.endpoint.startswith("officers."):
        values["user_id"] = ids["officer"]
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in ("int", "path"):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
    if rule.endpoint in ("bureau.export", "bureau.batch_reports"):
        path += "?q=cloud"
    return path


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), f"add to EXPECTED: {endpoints - set(EXPECTED)}"
    incomplete = [e for e, (_method, want) in EXPECTED.items() if set(want) != set(ROLES)]
    assert incomplete == [], f"give every role of ROLES an expectation in: {incomplete}"


def test_every_route_for_every_role(app, world):
    clients, ids = world
    failures = []
    rules = sorted(
        app.url_map.iter_rules(), key=lambda r: (r.endpoint.startswith("admin."), r.endpoint)
    )
    for rule in rules:
        method, expected = EXPECTED[rule.endpoint]
        for role in ROLES:
            if rule.endpoint == "auth.logout" and role != "anon":
                continue  # checked last: it ends the session the other checks need
            url = url_for_rule(rule, ids)
            response = clients[role].open(url, method=method)
            response.get_data()  # a streamed body keeps its request context until consumed
            response.close()
            want = expected[role]
            got = response.status_code
            if want == LOGIN:
                ok = got == 302 and "/auth/login" in response.headers.get("Location", "")
            else:
                ok = got == want
            if not ok:
                failures.append(f"{method} {url} as {role}: {got}, expected {want}")
    for role in ROLES[1:]:
        if clients[role].post("/auth/logout").status_code != 302:
            failures.append(f"logout as {role}")
    assert failures == []


def test_guessed_or_incremented_ids_of_others_give_404(world, app):
    clients, ids = world
    b = clients["ent_b"]
    submitted = ids["submitted"]
    tweaked = submitted[:-1] + ("A" if submitted[-1] != "A" else "B")
    with app_session(app) as s:
        numeric = s.scalar(select(Assessment.id).where(Assessment.public_id == submitted))
    for guess in (submitted, tweaked, str(numeric), str(numeric + 1), "1", "../1"):
        for path in (
            f"/a/{guess}/result",
            f"/a/{guess}/report.pdf",
            f"/a/{guess}/review",
            f"/a/{guess}/page/0",
        ):
            assert b.get(path).status_code == 404, path
    assert clients["bureau"].get(f"/bureau/enterprises/{numeric}").status_code == 404


def test_ids_in_urls_are_random_not_sequences(world, app):
    with app_session(app) as s:
        ids = s.scalars(select(Assessment.public_id).order_by(Assessment.id)).all()
    assert len(ids) == 2 and all(len(i) >= 22 and not i.isdigit() for i in ids)
    assert ids[0][:6] != ids[1][:6]


def test_bureau_views_of_one_enterprise_are_audited(world, app):
    clients, ids = world
    clients["bureau"].get(f"/a/{ids['submitted']}/result")
    clients["bureau"].get(f"/a/{ids['submitted']}/report.pdf")
    clients["bureau"].get(f"/bureau/enterprises/{ids['enterprise']}")
    with app_session(app) as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["view_result", "download_report", "view_enterprise"]


def test_only_the_owning_enterprise_may_edit_a_draft_even_where_a_route_forgets_its_role(
    world, app
):
    """own_assessment (the survey pages' lookup) answers 404 to every user but the owner, on its
    own: the survey routes' role decorator is not the only thing between staff and a draft."""
    _clients, ids = world
    for email, allowed in (
        ("a@example.com", True),
        ("b@example.com", False),
        ("bureau@jxj.example", False),
        ("admin@jxj.example", False),
    ):
        with app.test_request_context():
            login_user(db.session.scalar(select(User).where(User.email == email)))
            if allowed:
                assert own_assessment(ids["draft"]).public_id == ids["draft"]
            else:
                with pytest.raises(NotFound):
                    own_assessment(ids["draft"])
