"""Service providers (数字化服务商): an owner grants a provider account access for a period; the
provider works on the enterprise's behalf (survey, result, PDF) and what it did is marked as such
in the history, the audit log and the PDF; an enterprise that did not grant it answers 404, and a
revoked or expired grant ends access on the next request."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from assessment.core.enums import Membership, Role
from assessment.services.accounts import create_provider_user, hash_password
from assessment.services.grants import today_in
from assessment.services.models import Assessment, AuditEvent, Enterprise, ProviderGrant, User

from .conftest import app_session, csrf_from
from .helpers import (
    PASSWORD,
    USCC_B,
    login,
    page_form,
    register,
    save_page,
    set_english,
    start,
    typical_answers,
)

PROVIDER = "helper@yongxin.example"
ORG = "甬信科技"
NAME_A = "慈溪市示例电器有限公司"
MARK = f"由 {ORG} 服务商协助填写"
REFUSED = "No service provider account uses this email"


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def grant(client, email=PROVIDER, ends_on=None):
    ends_on = ends_on or (date.today() + timedelta(days=30)).isoformat()
    return client.post("/account/providers/", data={"email": email, "ends_on": ends_on})


def enterprise_id(app, uscc=None) -> str:
    with app_session(app) as s:
        stmt = select(Enterprise.public_id).order_by(Enterprise.id)
        return s.scalar(stmt.where(Enterprise.uscc == uscc) if uscc else stmt.limit(1))


def actions(app) -> list[AuditEvent]:
    with app_session(app) as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.fixture
def world(app):
    """Enterprise A (owner signed in), enterprise B (owner signed in), a provider account signed
    in, and a bureau analyst; nothing granted yet."""
    owner_a, owner_b, provider = app.test_client(), app.test_client(), app.test_client()
    register(owner_a)
    register(owner_b, uscc=USCC_B, email="b@example.com", name="慈溪市另一家电器有限公司")
    with app_session(app) as s:
        create_provider_user(s, PROVIDER, PASSWORD, ORG)
        s.add(User(email="bureau@jxj.example", password_hash=hash_password(PASSWORD),
                   role=Role.BUREAU))  # fmt: skip
        # Submitting waits for a confirmed address (not what these tests are about).
        for user in s.scalars(select(User).where(User.role == Role.ENTERPRISE)):
            user.email_verified_at = user.created_at
        s.commit()
    assert login(provider, PROVIDER, PASSWORD).status_code == 302
    return owner_a, owner_b, provider


def act_for_a(app, provider) -> None:
    response = provider.post(f"/provider/act/{enterprise_id(app)}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")


def fill_and_submit(provider, questionnaire) -> str:
    """Start, fill every page and submit; returns the assessment's public id."""
    url = start(provider, questionnaire.id)
    base = url.rsplit("/", 1)[0]
    answers = typical_answers(questionnaire)
    for index in range(len(questionnaire.pages)):
        assert (
            save_page(provider, f"{base}/{index}", questionnaire, index, answers).status_code == 302
        )
    public_id = base.split("/")[2]
    submitted = provider.post(f"/a/{public_id}/review")
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/result")
    return public_id


def test_a_granted_provider_fills_and_submits_and_is_named_everywhere(app, world, registry):
    owner_a, _owner_b, provider = world
    granted = grant(owner_a)
    assert granted.status_code == 302
    listing = text_of(owner_a.get("/account/providers/"))
    assert ORG in listing and PROVIDER in listing and "有效" in listing

    # Signing in lands on the provider's home, which lists A with its last day.
    assert provider.get("/").headers["Location"].endswith("/provider/")
    home = text_of(provider.get("/provider/"))
    assert NAME_A in home and (date.today() + timedelta(days=30)).isoformat() in home
    assert "慈溪市另一家电器有限公司" not in home
    act_for_a(app, provider)
    survey_home = text_of(provider.get("/my"))
    assert f"您正以 {ORG} 服务商身份代 {NAME_A} 企业填写" in survey_home

    cloud = registry.get("cloud")
    public_id = fill_and_submit(provider, cloud)
    with app_session(app) as s:
        assessment = s.scalar(select(Assessment).where(Assessment.public_id == public_id))
        assert assessment.status == "submitted" and assessment.provider.email == PROVIDER

    # The result, the owner's history, the bureau's history and the PDF say who helped.
    assert MARK in text_of(provider.get(f"/a/{public_id}/result"))
    assert MARK in text_of(owner_a.get("/my"))
    assert MARK in text_of(owner_a.get(f"/a/{public_id}/result"))
    bureau = app.test_client()
    login(bureau, "bureau@jxj.example", PASSWORD)
    assert MARK in text_of(bureau.get(f"/bureau/enterprises/{enterprise_id(app)}"))
    pdf = owner_a.get(f"/a/{public_id}/report.pdf")
    assert pdf.status_code == 200 and squash(MARK) in squash(pdf_text(pdf.data))
    english = owner_a.get(f"/a/{public_id}/report.pdf?lang=en")
    assert f"Filled with the help of service provider {ORG}" in pdf_text(english.data)

    # The audit log: the grant, one row per page saved and the submit, naming both sides.
    events = actions(app)
    assert [e.action for e in events if e.action == "grant_provider"] == ["grant_provider"]
    saves = [e for e in events if e.action == "provider_save"]
    submits = [e for e in events if e.action == "provider_submit"]
    assert len(saves) == len(cloud.pages) and len(submits) == 1
    assert submits[0].target_id == public_id
    assert submits[0].details["enterprise"] == enterprise_id(app)
    assert submits[0].details["provider"] == ORG


def test_an_assessment_the_owner_filled_alone_carries_no_mark(app, world, registry):
    owner_a, _owner_b, _provider = world
    cloud = registry.get("cloud")
    public_id = fill_and_submit(owner_a, cloud)
    assert "服务商协助填写" not in text_of(owner_a.get(f"/a/{public_id}/result"))
    assert "服务商协助填写" not in text_of(owner_a.get("/my"))
    assert "服务商协助填写" not in squash(pdf_text(owner_a.get(f"/a/{public_id}/report.pdf").data))
    assert not [e for e in actions(app) if e.action.startswith("provider_")]


def test_a_provider_gets_404_from_an_enterprise_that_did_not_grant_it(app, world, registry):
    owner_a, owner_b, provider = world
    grant(owner_a)
    cloud = registry.get("cloud")
    b_result = fill_and_submit(owner_b, cloud)
    b_draft = start(owner_b, "lianghua").rsplit("/page", 1)[0]
    b_id = enterprise_id(app, USCC_B)

    assert provider.post(f"/provider/act/{b_id}").status_code == 404
    act_for_a(app, provider)
    for path in (f"{b_draft}/page/0", f"{b_draft}/review", f"/a/{b_result}/result",
                 f"/a/{b_result}/report.pdf"):  # fmt: skip
        assert provider.get(path).status_code == 404, path
    posted = provider.post(f"{b_draft}/page/0", data=page_form(cloud, 0, typical_answers(cloud)))
    assert posted.status_code == 404
    assert provider.post(f"{b_draft}/review").status_code == 404
    # Nothing of B was changed, and the banner still names A.
    with app_session(app) as s:
        draft = s.scalar(select(Assessment).where(Assessment.public_id == b_draft.split("/")[2]))
        assert draft.lock_version == 0 and draft.provider_id is None and draft.status == "draft"
    assert NAME_A in text_of(provider.get("/my"))
    assert "慈溪市另一家电器有限公司" not in text_of(provider.get("/my"))
    # The tries are audited, naming B.
    denied = [e for e in actions(app) if e.action == "provider_denied"]
    assert len(denied) >= 5 and {e.target_id for e in denied} == {b_id}
    # And the bureau's pages stay closed.
    assert provider.get("/bureau/").status_code == 403
    assert provider.get(f"/bureau/enterprises/{b_id}").status_code == 403


def test_without_a_chosen_enterprise_the_survey_sends_a_provider_to_its_list(app, world):
    _owner_a, _owner_b, provider = world
    assert provider.get("/my").headers["Location"].endswith("/provider/")
    assert provider.post("/my/start/cloud").headers["Location"].endswith("/provider/")
    assert "No enterprise has granted you access" in text_of(provider.get("/provider/")) or (
        "目前没有企业授权您" in text_of(provider.get("/provider/"))
    )


def test_revoking_ends_access_on_the_next_request(app, world):
    owner_a, _owner_b, provider = world
    grant(owner_a)
    act_for_a(app, provider)
    page = start(provider, "cloud")
    assert provider.get(page).status_code == 200
    with app_session(app) as s:
        grant_id = s.scalar(select(ProviderGrant.id))
    revoked = owner_a.post(f"/account/providers/{grant_id}/revoke")
    assert revoked.status_code == 302
    assert "已撤销" in text_of(owner_a.get("/account/providers/"))

    ended = provider.get(page)  # the next request is refused, and says why
    assert ended.status_code == 404 and f"您对 {NAME_A} 的访问已结束" in text_of(ended)
    assert "服务商身份代" not in text_of(ended)
    assert provider.get("/my").headers["Location"].endswith("/provider/")
    assert NAME_A not in text_of(provider.get("/provider/"))
    assert provider.post(f"/provider/act/{enterprise_id(app)}").status_code == 404
    assert [e.action for e in actions(app) if e.action == "revoke_provider"] == ["revoke_provider"]
    # Revoking again changes nothing and says so.
    again = owner_a.post(f"/account/providers/{grant_id}/revoke", follow_redirects=True)
    assert "已结束" in text_of(again)


def test_an_expired_grant_ends_access_on_the_next_request(app, world, registry):
    owner_a, _owner_b, provider = world
    grant(owner_a)
    act_for_a(app, provider)
    page = start(provider, "cloud")
    assert provider.get(page).status_code == 200
    with app_session(app) as s:  # the last day has passed
        row = s.scalar(select(ProviderGrant))
        row.expires_at = row.created_at
        s.commit()
    assert provider.get(page).status_code == 404
    cloud = registry.get("cloud")
    assert provider.post(page, data=page_form(cloud, 0, typical_answers(cloud))).status_code == 404
    assert provider.get("/my").headers["Location"].endswith("/provider/")
    assert "已过期" in text_of(owner_a.get("/account/providers/"))


def test_a_member_sees_the_providers_but_cannot_grant_or_revoke(app, world):
    owner_a, _owner_b, _provider = world
    grant(owner_a)
    with app_session(app) as s:
        a = s.scalar(select(Enterprise).order_by(Enterprise.id).limit(1))
        s.add(User(email="member@example.com", password_hash=hash_password(PASSWORD),
                   role=Role.ENTERPRISE, enterprise_id=a.id, membership=Membership.MEMBER,
                   email_verified_at=a.created_at))  # fmt: skip
        s.commit()
        grant_id = s.scalar(select(ProviderGrant.id))
    member = app.test_client()
    login(member, "member@example.com", PASSWORD)
    listing = member.get("/account/providers/")
    assert listing.status_code == 200 and ORG in text_of(listing)
    assert 'name="email"' not in listing.text and "只有企业的所有者" in text_of(listing)
    assert grant(member, email="someone@example.com").status_code == 403
    assert member.post(f"/account/providers/{grant_id}/revoke").status_code == 403
    with app_session(app) as s:
        assert s.scalar(select(ProviderGrant.revoked_at)) is None


def test_the_owner_is_told_what_is_wrong_and_keeps_what_was_typed(app, world):
    owner_a, _owner_b, _provider = world
    today = today_in(ZoneInfo("Asia/Shanghai"))  # the owner's calendar, not the server's
    for email in ("nobody@example.com", "bureau@jxj.example", "b@example.com"):
        refused = grant(owner_a, email=email)
        assert refused.status_code == 200
        assert "没有使用此邮箱的服务商账户" in text_of(refused), email
        assert f'value="{email}"' in refused.text
    cases = {
        (today - timedelta(days=1)).isoformat(): "这一天已经过去",
        (today + timedelta(days=400)).isoformat(): "最多授权一年",
        "2025-02-30": "该日期不存在",
        "next week": "请按 YYYY-MM-DD 格式填写日期",
        "": "请输入访问的最后一天",
    }
    for ends_on, message in cases.items():
        refused = owner_a.post("/account/providers/", data={"email": PROVIDER, "ends_on": ends_on})
        assert refused.status_code == 200 and message in text_of(refused), ends_on
        assert f'value="{PROVIDER}"' in refused.text
    assert grant(owner_a, email="not an email").status_code == 200
    with app_session(app) as s:
        assert s.scalar(select(ProviderGrant.id)) is None
    # Today and one year ahead are both fine; granting again moves the end day.
    assert grant(owner_a, ends_on=today.isoformat()).status_code == 302
    assert grant(owner_a, ends_on=(today + timedelta(days=366)).isoformat()).status_code == 302
    with app_session(app) as s:
        assert len(s.scalars(select(ProviderGrant)).all()) == 1


def test_an_owner_cannot_revoke_another_enterprises_grant(app, world):
    owner_a, owner_b, _provider = world
    grant(owner_a)
    with app_session(app) as s:
        grant_id = s.scalar(select(ProviderGrant.id))
    assert owner_b.post(f"/account/providers/{grant_id}/revoke").status_code == 404
    assert owner_b.post("/account/providers/99999999999/revoke").status_code == 404
    with app_session(app) as s:
        assert s.scalar(select(ProviderGrant.revoked_at)) is None


def test_a_provider_following_a_link_works_for_that_enterprise(app, world):
    """Two enterprises granted access: opening one's draft makes the banner name it."""
    owner_a, owner_b, provider = world
    grant(owner_a)
    grant(owner_b)
    act_for_a(app, provider)
    b_page = start(owner_b, "cloud")
    shown = text_of(provider.get(b_page))
    assert "代 慈溪市另一家电器有限公司 企业填写" in shown
    home = text_of(provider.get("/provider/"))
    assert NAME_A in home and "慈溪市另一家电器有限公司" in home


def test_the_account_page_links_each_side(app, world):
    owner_a, _owner_b, provider = world
    assert "/account/providers/" in owner_a.get("/account/").text
    assert "/provider/" in provider.get("/account/").text
    set_english(provider)
    assert "Enterprises I assist" in text_of(provider.get("/account/"))


def test_create_user_makes_a_provider_account(runner, session):
    args = ["create-user", "--email", "Ops@Provider.example", "--role", "provider"]
    missing = runner.invoke(args=[*args, "--password", "quiet-harbour-42"])
    assert missing.exit_code == 2 and "--organisation is required" in missing.output
    created = runner.invoke(args=[*args, "--organisation", " 宁波 数智科技 ", "--password",
                                  "quiet-harbour-42"])  # fmt: skip
    assert created.exit_code == 0, created.output
    user = session.scalar(select(User).where(User.email == "ops@provider.example"))
    assert user.role == Role.PROVIDER and user.organisation == "宁波 数智科技"
    staff = runner.invoke(args=["create-user", "--email", "x@jxj.example", "--role", "bureau",
                                "--organisation", "X", "--password", "quiet-harbour-42"])  # fmt: skip
    assert staff.exit_code == 2 and "only for service provider accounts" in staff.output


def test_admins_list_and_filter_providers(app, world):
    with app_session(app) as s:
        s.add(User(email="admin@jxj.example", password_hash=hash_password(PASSWORD),
                   role=Role.ADMIN))  # fmt: skip
        s.commit()
    admin = app.test_client()
    login(admin, "admin@jxj.example", PASSWORD)
    page = text_of(admin.get("/admin/users?role=provider"))
    assert PROVIDER in page and ORG in page and "服务商" in page
    assert "a@example.com" not in page


def test_the_demo_enterprise_user_owns_it_and_can_grant(app, runner):
    assert runner.invoke(args=["seed-demo", "--enterprises", "30"]).exit_code == 0
    with app_session(app) as s:
        create_provider_user(s, PROVIDER, PASSWORD, ORG)
    demo = app.test_client()
    login(demo, "demo-enterprise@cixi.example", "cixi-demo-2025")
    assert grant(demo).status_code == 302


def test_an_expired_page_grants_nothing_and_keeps_what_was_typed(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    owner = app.test_client()
    token = csrf_from(owner.get("/auth/register").text)
    assert register(owner, csrf_token=token).status_code == 302
    with app_session(app) as s:
        create_provider_user(s, PROVIDER, PASSWORD, ORG)
    ends_on = (date.today() + timedelta(days=20)).isoformat()
    stale = owner.post("/account/providers/", data={"email": PROVIDER, "ends_on": ends_on,
                                                     "csrf_token": "stale"})  # fmt: skip
    assert stale.status_code == 200 and "页面已过期" in text_of(stale)
    assert f'value="{PROVIDER}"' in stale.text and f'value="{ends_on}"' in stale.text
    with app_session(app) as s:
        assert s.scalar(select(ProviderGrant.id)) is None
    token = csrf_from(stale.text)
    fresh = owner.post("/account/providers/", data={"email": PROVIDER, "ends_on": ends_on,
                                                    "csrf_token": token})  # fmt: skip
    assert fresh.status_code == 302
