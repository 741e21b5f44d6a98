"""The enterprise profile: the owner edits it and the size class follows the statistical rule;
members read it; the credit code is fixed except for an administrator's audited correction;
submitted assessments keep their peer group and say so, the next submit uses the new profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from assessment.core.uscc import make_uscc
from assessment.services import audit, profile
from assessment.services.accounts import hash_password
from assessment.services.models import Assessment, AuditEvent, Enterprise, User, utcnow
from tests import factories

from .conftest import app_session, csrf_from
from .helpers import (
    PASSWORD,
    USCC_A,
    USCC_B,
    login,
    register,
    registration,
    save_page,
    set_english,
    start,
    typical_answers,
)
from .test_bad_input import field_error

PROFILE_FIELDS = ("name", "town", "industry", "employees", "revenue_wan", "contact_name",
                  "contact_phone")  # fmt: skip
ADMIN = "admin@jxj.example"


def profile_form(**overrides) -> dict:
    """What the owner's browser posts: the registration's enterprise fields, changed."""
    data = {k: v for k, v in registration().items() if k in PROFILE_FIELDS}
    data.update(overrides)
    return data


def enterprise_a(app) -> Enterprise:
    """Enterprise A (registered first; its code may have been corrected)."""
    with app_session(app) as s:
        enterprise = s.scalar(select(Enterprise).order_by(Enterprise.id).limit(1))
        s.expunge(enterprise)
        return enterprise


def profile_events(app) -> list[AuditEvent]:
    with app_session(app) as s:
        return s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_([audit.UPDATE_PROFILE, audit.CORRECT_USCC]))
            .order_by(AuditEvent.id)
        ).all()


def add_user(app, email: str, role: str, membership: str | None = None) -> None:
    with app_session(app) as s:
        enterprise_id = s.scalar(select(Enterprise.id).where(Enterprise.uscc == USCC_A))
        s.add(User(email=email, password_hash=hash_password(PASSWORD), role=role,
                   enterprise_id=enterprise_id if membership else None, membership=membership,
                   email_verified_at=utcnow()))  # fmt: skip
        s.commit()


def submit_cloud(client, registry) -> str:
    """Fill every page of the cloud questionnaire and submit; returns the result URL."""
    cloud = registry.get("cloud")
    base = start(client, "cloud").rsplit("/", 1)[0]
    for index in range(len(cloud.pages)):
        save_page(client, f"{base}/{index}", cloud, index, typical_answers(cloud))
    response = client.post(base.rsplit("/page", 1)[0] + "/review")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


# --- the owner edits -------------------------------------------------------------------------


def test_owner_changes_town_industry_and_staff_and_the_size_class_is_recomputed(app, client):
    register(client)  # 120 employees, 8600 万元: small
    set_english(client)
    page = client.get("/account/profile").text
    assert 'value="8600"' in page and 'value="120"' in page  # the stored figures, as typed
    response = client.post(
        "/account/profile",
        data=profile_form(town="kandun", industry="bearings", employees="350"),
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Size class: Medium" in response.text  # 350 people and 8600 万元: both medium floors
    assert 'id="fact-size">Medium<' in response.text
    assert "Kandun Subdistrict" in response.text
    ent = enterprise_a(app)
    assert (ent.town, ent.industry, ent.employees, ent.size_class) == (
        "kandun", "bearings", 350, "medium",
    )  # fmt: skip
    [event] = profile_events(app)
    assert event.details["changes"] == {
        "town": ["zhouxiang", "kandun"],
        "industry": ["appliances", "bearings"],
        "employees": [120, 350],
        "size_class": ["small", "medium"],
    }
    assert event.target_id == ent.public_id
    # The statistical rule's "both floors": 2000 people but 100 万元 is micro.
    client.post("/account/profile", data=profile_form(employees="2000", revenue_wan="100"))
    assert enterprise_a(app).size_class == "micro"
    assert profile_events(app)[-1].details["changes"]["revenue_wan"] == [8600.0, 100.0]


def test_saving_an_unchanged_profile_changes_and_audits_nothing(app, client):
    register(client)
    set_english(client)
    response = client.post("/account/profile", data=profile_form(), follow_redirects=True)
    assert "Nothing was changed." in response.text
    assert profile_events(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("town", "atlantis", "Not a valid choice"),
        ("industry", "", "This field is required."),
        ("employees", "-5", "Please enter a number from 0 to 200000"),
        ("employees", "many", "Not a valid integer value."),
        ("revenue_wan", "lots", "Not a valid decimal value."),
        ("revenue_wan", "-1", "Please enter a number from 0 to"),
        ("name", "x" * 300, "between 2 and 200 characters"),
        ("contact_phone", "call me", "Please enter a phone number"),
    ],
)
def test_bad_values_get_the_registration_message_at_the_field_and_keep_what_was_typed(
    app, client, field, value, message
):
    register(client)
    set_english(client)
    typed = profile_form(contact_name="李主任", **{field: value})
    response = client.post("/account/profile", data=typed)
    assert response.status_code == 200
    assert message in field_error(response.text, field), field_error(response.text, field)
    assert "李主任" in response.text  # the other fields come back as typed, not as stored
    if field not in ("town", "industry"):
        assert f'value="{value}"' in response.text
    ent = enterprise_a(app)
    assert (ent.contact_name, ent.employees, ent.town) == ("王经理", 120, "zhouxiang")
    assert profile_events(app) == []


def test_the_owner_cannot_change_the_credit_code(app, client):
    register(client)
    page = client.get("/account/profile").text
    assert USCC_A in page and 'name="uscc"' not in page
    client.post("/account/profile", data=profile_form(uscc=USCC_B, contact_name="李主任"))
    ent = enterprise_a(app)
    assert ent.uscc == USCC_A and ent.contact_name == "李主任"


def test_a_member_reads_the_profile_but_cannot_change_it(app, client):
    register(client)
    add_user(app, "member@example.com", "enterprise", "member")
    member = app.test_client()
    login(member, "member@example.com")
    set_english(member)
    page = member.get("/account/profile")
    assert page.status_code == 200
    assert "慈溪市示例电器有限公司" in page.text and USCC_A in page.text
    assert 'name="employees"' not in page.text
    assert "Only the enterprise's owner can change the profile. (a@example.com)" in page.text
    response = member.post("/account/profile", data=profile_form(employees="999"))
    assert response.status_code == 403
    assert enterprise_a(app).employees == 120
    assert profile_events(app) == []


def test_the_account_page_links_the_profile(client):
    register(client)
    set_english(client)
    page = client.get("/account/").text
    assert 'id="card-profile"' in page and "/account/profile" in page and "Edit the profile" in page


# --- an administrator corrects the credit code ----------------------------------------------


@pytest.fixture
def admin(app, client):
    register(client)
    add_user(app, ADMIN, "admin")
    admin = app.test_client()
    login(admin, ADMIN)
    set_english(admin)
    return admin


def correct(admin, app, code: str, reason="营业执照核对：注册时录入错误"):
    public_id = enterprise_a(app).public_id
    return admin.post(f"/admin/enterprises/{public_id}/uscc", data={"uscc": code, "reason": reason})


def test_admin_corrects_the_credit_code_with_a_reason_and_it_is_audited(app, client, admin):
    users = admin.get("/admin/users").text
    public_id = enterprise_a(app).public_id
    assert f"/admin/enterprises/{public_id}" in users  # the enterprise is linked from its users
    assert USCC_A in admin.get(f"/admin/enterprises/{public_id}").text
    new = make_uscc("330282", "MA2AB777")
    response = correct(admin, app, f" {new.lower()} ")
    assert response.status_code == 302
    assert enterprise_a(app).uscc == new
    [event] = profile_events(app)
    assert event.action == audit.CORRECT_USCC and event.details["uscc"] == [USCC_A, new]
    assert event.note == "营业执照核对：注册时录入错误"
    log = admin.get(f"/admin/audit?target_id={public_id}").text
    assert "Corrected a credit code" in log and "营业执照核对" in log and new in log
    assert new in client.get("/account/profile").text  # the owner sees the corrected code


def test_a_code_with_a_bad_check_character_is_refused_and_the_reason_kept(app, admin):
    bad = USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1")
    response = correct(admin, app, bad, reason="typo")
    assert response.status_code == 200
    assert "The check character (the last one) should be" in field_error(response.text, "uscc")
    assert f'value="{bad}"' in response.text and "typo</textarea>" in response.text
    assert enterprise_a(app).uscc == USCC_A and profile_events(app) == []


def test_a_code_another_enterprise_holds_is_refused(app, admin):
    other = app.test_client()
    register(other, uscc=USCC_B, email="b@example.com", name="慈溪市另一家有限公司")
    response = correct(admin, app, USCC_B)
    assert response.status_code == 200
    assert field_error(response.text, "uscc") == (
        "Another enterprise (慈溪市另一家有限公司) is registered with this code."
    )
    assert enterprise_a(app).uscc == USCC_A and profile_events(app) == []


def test_a_correction_needs_a_reason(app, admin):
    new = make_uscc("330282", "MA2AB777")
    response = correct(admin, app, new, reason="  ")
    assert "Say why the code is corrected" in field_error(response.text, "reason")
    assert f'value="{new}"' in response.text
    assert enterprise_a(app).uscc == USCC_A


def test_the_same_code_is_not_a_correction(app, admin):
    response = correct(admin, app, USCC_A)
    assert field_error(response.text, "uscc") == "This is already the enterprise's code."
    assert profile_events(app) == []


# --- peer groups: submitted assessments keep theirs; the next submit uses the new profile ----


def test_a_submitted_assessment_keeps_its_cohort_and_says_so_while_the_next_uses_the_new(
    app, client, registry
):
    register(client)
    first = submit_cloud(client, registry)
    set_english(client)
    assert 'id="cohort-note"' not in client.get(first).text  # nothing changed yet
    start(client, "cloud")  # a draft started before the change
    page = client.get("/account/profile").text
    assert "including drafts already started" in page
    client.post(
        "/account/profile", data=profile_form(town="kandun", industry="bearings", employees="350")
    )
    with app_session(app) as s:
        kept = s.scalars(select(Assessment).where(Assessment.status == "submitted")).one()
        assert (kept.industry, kept.town, kept.size_class) == ("appliances", "zhouxiang", "small")
    note = client.get(first).text
    assert (
        "This assessment is compared with peers by the industry (Household appliances), town "
        "(Zhouxiang Town) and size (Small) it had when submitted; the enterprise profile has "
        "changed since, and the change applies from the next assessment."
    ) in note
    second = submit_cloud(client, registry)  # the draft started before the change
    with app_session(app) as s:
        latest = s.scalars(select(Assessment).where(Assessment.is_latest.is_(True))).one()
        assert (latest.industry, latest.town, latest.size_class) == ("bearings", "kandun", "medium")
    assert 'id="cohort-note"' not in client.get(second).text
    assert "Industry: Bearings and basic machine parts" in client.get(second).text


def test_the_cohort_note_is_in_chinese_by_default(app, client, registry):
    register(client)
    result = submit_cloud(client, registry)
    client.post("/account/profile", data=profile_form(town="kandun"))
    assert (
        "本次评估按提交时的行业（家用电器）、镇街（周巷镇）、规模（小型）对标"
        in client.get(result).text
    )


def test_new_staff_and_revenue_figures_prefill_the_next_draft(app, client):
    """The profile's figures count as of their last change: newer than an assessment made
    before it, they pre-fill the next MIIT draft."""
    register(client)
    with app_session(app) as s:
        ent = s.scalar(select(Enterprise))
        ent.created_at = utcnow() - timedelta(days=60)
        earlier = factories.submitted(s, ent, 40, questionnaire="miit", version="2024.1")
        earlier.answers = {"m_staff_last": 150}
        s.commit()
    client.post("/account/profile", data=profile_form(employees="300"))
    start(client, "miit")
    with app_session(app) as s:
        draft = s.scalar(select(Assessment).where(Assessment.status == "draft"))
        assert draft.answers["m_staff_last"] == 300
        assert draft.prefilled["m_staff_last"]["status"] == "profile"


def test_the_service_refuses_what_the_form_cannot_let_through(app, client):
    """Defence in depth: an unknown town or industry never reaches the database, and a code
    correction without a reason is refused."""
    register(client)
    with app_session(app) as s:
        ent = s.scalar(select(Enterprise))
        owner = s.scalar(select(User))
        base = profile.current(ent)
        for bad in (replace(base, town="atlantis"), replace(base, industry="spaceships")):
            with pytest.raises(ValueError):
                profile.update_profile(s, ent, bad, owner)
        with pytest.raises(ValueError):
            profile.correct_uscc(s, ent, make_uscc("330282", "MA2AB777"), " ", owner)
    ent = enterprise_a(app)
    assert (ent.town, ent.industry, ent.uscc) == ("zhouxiang", "appliances", USCC_A)


def test_an_expired_page_keeps_what_the_owner_typed_and_saves_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/register").text
    register(client, csrf_token=csrf_from(page))
    stale = {**profile_form(contact_name="李主任", employees="350"), "csrf_token": "stale"}
    response = client.post("/account/profile", data=stale)
    assert response.status_code == 200
    assert "页面已过期，内容尚未保存。" in response.text  # Chinese, the default
    assert "李主任" in response.text and 'value="350"' in response.text
    assert enterprise_a(app).contact_name == "王经理" and profile_events(app) == []
