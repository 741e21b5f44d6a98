"""Colleagues, end to end through the pages: the owner invites by email (read from the real SMTP
sink), the colleague joins through the link and fills the enterprise's assessments; bad links,
addresses that cannot join, removal, hand-over, throttles, and two colleagues on one draft."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from assessment.services import invitations, team
from assessment.services.accounts import hash_password
from assessment.services.models import Assessment, AuditEvent, Invitation, User, utcnow

from .conftest import app_session, csrf_from
from .factories import enterprise as make_enterprise
from .helpers import (
    PASSWORD,
    USCC_B,
    lock_version,
    login,
    page_form,
    register,
    save_page,
    set_english,
    start,
    typical_answers,
)

COLLEAGUE = "zhang.san@example.com"
COLLEAGUE_PASSWORD = "Zhang-San-Workshop-7"
OWNER = "a@example.com"


def field_error(page: str, field_id: str) -> str:
    """The error message rendered next to a field (empty when none)."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def text_of(response) -> str:
    """The page as a reader sees its words (entities decoded)."""
    return html.unescape(response.text)


def invite(client, email=COLLEAGUE):
    return client.post("/account/team/invite", data={"email": email})


def invitation_link(mail_sink, email=COLLEAGUE) -> str:
    """The path of the invitation link in the last message sent to `email`."""
    links = [link for m in mail_sink.to(email) for link in mail_sink.links(m) if "/invite/" in link]
    assert links, f"no invitation mailed to {email}"
    return urlsplit(links[-1]).path


def invitations_mailed(mail_sink) -> list:
    """The invitation messages sent (other mail, e.g. an address check at registration, aside)."""
    return [m for m in mail_sink.messages if "/invite/" in mail_sink.text(m)]


def accept(client, path, name="张三", password=COLLEAGUE_PASSWORD, password2=None):
    data = {"display_name": name, "password": password, "password2": password2 or password}
    return client.post(path, data=data)


def user(app, email) -> User:
    with app_session(app) as s:
        return s.scalar(select(User).where(User.email == email))


@pytest.fixture
def owner(app):
    """The registered owner of enterprise A, signed in, pages in English."""
    client = app.test_client()
    assert register(client).status_code == 302
    set_english(client)
    return client


@pytest.fixture
def colleague(app, owner, mail_sink):
    """张三, invited by the owner and joined through the emailed link (signed in, English)."""
    assert invite(owner).status_code == 302
    client = app.test_client()
    set_english(client)
    response = accept(client, invitation_link(mail_sink))
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    return client


# --- invite, accept, work together ------------------------------------------------------------


def test_invited_colleague_joins_through_the_mailed_link_and_fills_the_enterprise_survey(
    app, owner, mail_sink, registry
):
    page = owner.get("/account/team")
    assert page.status_code == 200 and "Invite a colleague" in page.text
    response = invite(owner, " Zhang.San@Example.com ")
    assert response.status_code == 302
    assert "Invitation sent to zhang.san@example.com" in text_of(owner.get("/account/team"))

    [message] = invitations_mailed(mail_sink)
    body = mail_sink.text(message)
    assert "慈溪市示例电器有限公司" in body and "a@example.com invites you" in body
    assert "慈溪市示例电器有限公司" in mail_sink.html(message)
    path = invitation_link(mail_sink)
    token = path.rsplit("/", 1)[1]
    with app_session(app) as s:
        stored = s.scalar(select(Invitation))
        assert stored.email == COLLEAGUE and stored.token_hash == invitations.token_hash(token)
        assert token not in stored.token_hash  # only the hash is kept
        assert timedelta(days=6, hours=23) < stored.expires_at - utcnow() <= timedelta(days=7)
    # The open invitation is listed for the owner, with the date it runs out.
    assert COLLEAGUE in owner.get("/account/team").text

    client = app.test_client()
    set_english(client)
    page = client.get(path)
    assert page.status_code == 200
    assert "Join 慈溪市示例电器有限公司" in page.text and COLLEAGUE in page.text
    response = accept(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    home = client.get("/my")
    assert "Welcome to 慈溪市示例电器有限公司" in text_of(home)
    joined = user(app, COLLEAGUE)
    assert joined.membership == "member" and joined.display_name == "张三"
    assert joined.email_verified_at is not None  # the link proved the address

    # The colleague fills the enterprise's draft; the owner sees who saved it and continues it.
    questionnaire = registry.get("cloud")
    url = start(client, "cloud")
    assert (
        save_page(client, url, questionnaire, 0, typical_answers(questionnaire)).status_code == 302
    )
    assert start(owner, "cloud") == url.rsplit("/", 1)[0] + "/1"  # the same draft, resumed
    assert "by 张三" in text_of(owner.get("/my"))
    assert re.search(r"Last saved by 张三 on \d{4}-\d\d-\d\d \d\d:\d\d\.", owner.get(url).text)
    with app_session(app) as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["invite_colleague", "accept_invitation"]


def test_a_colleague_sees_and_opens_what_the_owner_submitted(app, owner, colleague, registry):
    cloud = registry.get("cloud")
    url = start(owner, "cloud")
    base = url.rsplit("/", 1)[0]
    for index in range(len(cloud.pages)):
        save_page(owner, f"{base}/{index}", cloud, index, typical_answers(cloud))
    with app_session(app) as s:  # the owner's address is verified (needed before a submit)
        s.scalar(select(User).where(User.email == OWNER)).email_verified_at = utcnow()
        s.commit()
    result = owner.post(base.rsplit("/page", 1)[0] + "/review")
    assert result.status_code == 302 and result.headers["Location"].endswith("/result")
    history = colleague.get("/my")
    assert result.headers["Location"] in history.text
    assert OWNER in history.text  # the history says who submitted
    assert colleague.get(result.headers["Location"]).status_code == 200


def test_the_link_works_once(app, owner, colleague, mail_sink):
    again = app.test_client()
    set_english(again)
    response = again.get(invitation_link(mail_sink))
    assert response.status_code == 410
    assert "already been used" in text_of(response)
    assert accept(again, invitation_link(mail_sink), name="冒名").status_code == 410
    assert user(app, COLLEAGUE).display_name == "张三"


def test_an_expired_link_is_refused_and_creates_no_account(app, owner, mail_sink):
    invite(owner)
    with app_session(app) as s:
        s.scalar(select(Invitation)).expires_at = utcnow() - timedelta(minutes=1)
        s.commit()
    client = app.test_client()
    set_english(client)
    path = invitation_link(mail_sink)
    response = client.get(path)
    assert response.status_code == 410 and "has expired" in response.text
    assert accept(client, path).status_code == 410
    assert user(app, COLLEAGUE) is None
    assert "Expired: invite again" in owner.get("/account/team").text


def test_tampered_and_unknown_links_are_refused(app, owner, mail_sink):
    invite(owner)
    path = invitation_link(mail_sink)
    client = app.test_client()
    set_english(client)
    last = path[-1]
    for bad in (
        path[:-1] + ("A" if last != "A" else "B"),
        path[:-5],
        path + "x",
        "/invite/" + "x" * 5000,
        "/invite/%E4%B8%AD' OR 1=1",
    ):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert "This invitation link is not valid" in response.text
        assert accept(client, bad).status_code == 404
    assert client.get("/invite/%00").status_code == 400  # a NUL byte: refused before the view
    assert user(app, COLLEAGUE) is None
    assert client.get(path).status_code == 200  # the real link still works


def test_a_withdrawn_invitation_stops_working(app, owner, mail_sink):
    invite(owner)
    with app_session(app) as s:
        invitation_id = s.scalar(select(Invitation.id))
    response = owner.post(f"/account/team/invitations/{invitation_id}/revoke")
    assert response.status_code == 302
    assert f"The invitation of {COLLEAGUE} was withdrawn" in owner.get("/account/team").text
    client = app.test_client()
    set_english(client)
    response = client.get(invitation_link(mail_sink))
    assert response.status_code == 410 and "was withdrawn" in response.text


def test_inviting_again_replaces_the_open_invitation(app, owner, mail_sink):
    invite(owner)
    first = invitation_link(mail_sink)
    mail_sink.clear()
    invite(owner)
    second = invitation_link(mail_sink)
    assert first != second
    with app_session(app) as s:
        assert s.scalar(select(func.count(Invitation.id))) == 1
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert accept(client, second).status_code == 302


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("b@example.com", "b@example.com already belongs to another enterprise's account"),
        ("bureau@jxj.example", "is used by a bureau, administrator or service provider account"),
        (OWNER, "a@example.com is already a colleague in this enterprise"),
        ("not-an-email", "Please enter a valid email address."),
        ("", "This field is required."),
    ],
)
def test_addresses_that_cannot_join_are_refused_next_to_the_field(
    app, owner, mail_sink, email, message
):
    register(app.test_client(), uscc=USCC_B, email="b@example.com")
    with app_session(app) as s:
        s.add(
            User(email="bureau@jxj.example", password_hash=hash_password(PASSWORD), role="bureau")
        )
        s.commit()
    response = invite(owner, email)
    assert response.status_code == 200
    assert message in field_error(response.text, "email")
    assert f'value="{email}"' in response.text  # what was typed stays
    with app_session(app) as s:
        assert s.scalar(select(func.count(Invitation.id))) == 0
    assert invitations_mailed(mail_sink) == []


def test_an_address_that_joined_another_enterprise_meanwhile_cannot_accept(app, owner, mail_sink):
    invite(owner)
    register(app.test_client(), uscc=USCC_B, email=COLLEAGUE)
    client = app.test_client()
    set_english(client)
    response = accept(client, invitation_link(mail_sink))
    assert response.status_code == 200
    assert "already belongs to another enterprise's account" in text_of(response)
    with app_session(app) as s:
        joined = s.scalar(select(User).where(User.email == COLLEAGUE))
        assert joined.enterprise.uscc == USCC_B
        assert s.scalar(select(Invitation.accepted_at)) is None  # nothing half done


def test_accept_refuses_a_weak_or_mistyped_password_and_keeps_the_name(app, owner, mail_sink):
    invite(owner)
    path = invitation_link(mail_sink)
    client = app.test_client()
    set_english(client)
    response = accept(client, path, password="short")
    assert "Use at least 10 characters." in field_error(response.text, "password")
    assert 'value="张三"' in response.text
    response = accept(client, path, password2=COLLEAGUE_PASSWORD + "x")
    assert "The two passwords differ." in field_error(response.text, "password2")
    response = accept(client, path, password=COLLEAGUE)
    assert "too common" in field_error(response.text, "password")
    response = accept(client, path, name="")
    assert "This field is required." in field_error(response.text, "display_name")
    assert user(app, COLLEAGUE) is None
    assert accept(client, path).status_code == 302


def test_a_signed_in_user_is_asked_to_sign_out_before_accepting(app, owner, mail_sink):
    invite(owner)
    response = owner.get(invitation_link(mail_sink))
    assert response.status_code == 200
    assert "sign out first" in response.text
    assert accept(owner, invitation_link(mail_sink)).status_code == 200
    assert user(app, COLLEAGUE) is None


# --- remove, hand over, who may do what ---------------------------------------------------------


def test_a_removed_colleague_loses_access_at_once(app, owner, colleague, registry):
    url = start(colleague, "cloud")
    assert colleague.get(url).status_code == 200
    colleague_id = user(app, COLLEAGUE).id
    response = owner.post(f"/account/team/members/{colleague_id}/remove")
    assert response.status_code == 302
    assert "张三 was removed" in text_of(owner.get("/account/team"))
    # Their very next request is signed out, and they cannot sign in again.
    for path in (url, "/my", "/account/team"):
        response = colleague.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    questionnaire = registry.get("cloud")
    response = colleague.post(url, data=page_form(questionnaire, 0, {}, lock="0"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert login(colleague, COLLEAGUE, COLLEAGUE_PASSWORD).status_code == 200  # refused
    removed = user(app, COLLEAGUE)
    assert removed.enterprise_id is None and not removed.active
    assert COLLEAGUE not in owner.get("/account/team").text
    # Their sessions ended for good: an administrator re-activating the account revives none.
    with app_session(app) as s:
        s.get(User, colleague_id).active = True
        s.commit()
    response = colleague.get("/account/team")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_removed_colleague_can_be_invited_again_and_rejoins(app, owner, colleague, mail_sink):
    owner.post(f"/account/team/members/{user(app, COLLEAGUE).id}/remove")
    mail_sink.clear()
    assert invite(owner).status_code == 302
    client = app.test_client()
    response = accept(
        client, invitation_link(mail_sink), name="张三丰", password="New-Password-2026"
    )
    assert response.status_code == 302
    back = user(app, COLLEAGUE)
    assert back.active and back.membership == "member" and back.display_name == "张三丰"
    assert client.get("/my").status_code == 200


def test_the_last_owner_cannot_be_removed_or_demoted(app, owner, colleague):
    owner_id = user(app, OWNER).id
    response = owner.post(f"/account/team/members/{owner_id}/remove")
    assert response.status_code == 302
    assert "always needs an owner" in text_of(owner.get("/account/team"))
    response = owner.post(f"/account/team/members/{owner_id}/owner")
    assert response.status_code == 302
    assert "is already the owner" in text_of(owner.get("/account/team"))
    still = user(app, OWNER)
    assert still.membership == "owner" and still.active and still.enterprise_id is not None


def test_the_service_never_removes_the_last_owner(session, app):
    """The guard holds below the web too."""
    ent = make_enterprise(session)
    only = User(email="o@example.com", password_hash="x", enterprise=ent, membership="owner")
    session.add(only)
    session.commit()
    with pytest.raises(team.TeamError) as refused:
        team.remove(session, ent, only.id, only)
    assert refused.value.problem.message == team.LAST_OWNER


def test_the_service_lets_only_the_owner_change_the_team(session):
    """The owner check holds below the web too: a member's call changes nothing."""
    ent = make_enterprise(session)
    boss = User(email="o@example.com", password_hash="x", enterprise=ent, membership="owner")
    member = User(email="m@example.com", password_hash="x", enterprise=ent, membership="member")
    session.add_all([boss, member])
    session.commit()
    for call in (
        lambda: invitations.invite(session, ent, "new@example.com", member),
        lambda: team.remove(session, ent, boss.id, member),
        lambda: team.transfer(session, ent, member.id, member),
    ):
        with pytest.raises(team.TeamError) as refused:
            call()
        assert refused.value.problem.message == team.NOT_OWNER
    assert boss.membership == "owner" and boss.active
    assert session.scalar(select(func.count(Invitation.id))) == 0


def test_ownership_is_handed_over_and_the_former_owner_becomes_a_member(app, owner, colleague):
    colleague_id = user(app, COLLEAGUE).id
    response = owner.post(f"/account/team/members/{colleague_id}/owner")
    assert response.status_code == 302
    assert "张三 is now the owner" in text_of(owner.get("/account/team"))
    assert user(app, COLLEAGUE).membership == "owner"
    assert user(app, OWNER).membership == "member"
    # The former owner may no longer invite; the new owner may.
    assert invite(owner, "li.si@example.com").status_code == 403
    assert "Only the owner, 张三, can invite" in owner.get("/account/team").text
    assert invite(colleague, "li.si@example.com").status_code == 302
    with app_session(app) as s:
        owners = s.scalar(select(func.count(User.id)).where(User.membership == "owner"))
        assert owners == 1


def test_a_member_sees_the_team_read_only_and_cannot_change_it(app, owner, colleague):
    page = colleague.get("/account/team")
    assert page.status_code == 200
    assert OWNER in page.text and "Invite a colleague" not in page.text
    assert "/remove" not in page.text
    invite(owner, "li.si@example.com")
    with app_session(app) as s:
        invitation_id = s.scalar(
            select(Invitation.id).where(Invitation.email == "li.si@example.com")
        )
    owner_id = user(app, OWNER).id
    me = user(app, COLLEAGUE).id
    for path in (
        "/account/team/invite",
        f"/account/team/invitations/{invitation_id}/revoke",
        f"/account/team/members/{owner_id}/remove",
        f"/account/team/members/{me}/owner",
        f"/account/team/members/{owner_id}/owner",
    ):
        assert colleague.post(path, data={"email": "x@example.com"}).status_code == 403, path
    assert user(app, OWNER).membership == "owner" and user(app, OWNER).active
    with app_session(app) as s:
        assert s.get(Invitation, invitation_id).revoked_at is None


def test_another_enterprise_cannot_touch_our_colleagues_or_invitations(app, owner, colleague):
    other = app.test_client()
    register(other, uscc=USCC_B, email="b@example.com")
    invite(owner, "li.si@example.com")
    with app_session(app) as s:
        invitation_id = s.scalar(
            select(Invitation.id).where(Invitation.email == "li.si@example.com")
        )
    target = user(app, COLLEAGUE).id
    assert other.post(f"/account/team/members/{target}/remove").status_code == 404
    assert other.post(f"/account/team/members/{target}/owner").status_code == 404
    assert other.post(f"/account/team/invitations/{invitation_id}/revoke").status_code == 404
    assert COLLEAGUE not in other.get("/account/team").text
    assert user(app, COLLEAGUE).active


def test_everyone_sets_the_name_colleagues_see(app, owner):
    response = owner.post("/account/team/name", data={"display_name": "王经理"})
    assert response.status_code == 302
    assert user(app, OWNER).display_name == "王经理"
    response = owner.post("/account/team/name", data={"display_name": "王" * 61})
    assert response.status_code == 200
    assert "at most 60 characters" in field_error(response.text, "display_name")
    assert user(app, OWNER).display_name == "王经理"


def test_the_account_page_has_a_colleagues_card(app, owner, colleague):
    assert "Invite and manage colleagues" in owner.get("/account/").text
    page = colleague.get("/account/")
    assert "See colleagues" in page.text and "2 people fill in" in page.text


# --- two colleagues on one draft ------------------------------------------------------------------


def test_two_colleagues_saving_one_page_never_overwrite_each_other(app, owner, colleague, registry):
    questionnaire = registry.get("cloud")
    url = start(owner, "cloud")
    assert start(colleague, "cloud") == url
    worst = typical_answers(questionnaire, "worst")
    best = typical_answers(questionnaire, "best")
    owner_lock = lock_version(owner.get(url).text)
    colleague_lock = lock_version(colleague.get(url).text)
    assert owner_lock == colleague_lock
    # 张三 saves first.
    saved = colleague.post(url, data=page_form(questionnaire, 0, best, "save", colleague_lock))
    assert saved.status_code == 302
    # The owner's save with the page opened before is refused, names 张三, shows what he saved.
    response = owner.post(url, data=page_form(questionnaire, 0, worst, "save", owner_lock))
    assert response.status_code == 200
    page = text_of(response)
    assert "张三 saved answers in this assessment at" in page
    assert "have NOT been saved yet" in page and "Saved by 张三:" in page
    first = next(q for q in questionnaire.pages[0].questions if q.type == "single")
    with app_session(app) as s:
        draft = s.scalar(select(Assessment))
        assert draft.answers[first.id] == best[first.id] != worst[first.id]
    # The owner's answers are still on the page; saving again (fresh lock) keeps them.
    assert f'value="{worst[first.id]}" checked' in response.text
    again = owner.post(
        url, data=page_form(questionnaire, 0, worst, "save", lock_version(response.text))
    )
    assert again.status_code == 302
    with app_session(app) as s:
        draft = s.scalar(select(Assessment))
        assert draft.answers[first.id] == worst[first.id]
        assert draft.updated_by.email == OWNER
    assert re.search(r"Last saved by a@example\.com on ", colleague.get(url).text)


def test_last_saved_by_is_shown_in_chinese(app, owner, colleague, registry):
    client = app.test_client()
    login(client, COLLEAGUE, COLLEAGUE_PASSWORD)
    questionnaire = registry.get("cloud")
    url = start(client, "cloud")
    save_page(client, url, questionnaire, 0, typical_answers(questionnaire), nav="save")
    assert re.search(r"最后由 张三 于 \d{4}-\d\d-\d\d \d\d:\d\d 保存", client.get(url).text)


# --- throttles and failures ------------------------------------------------------------------------


def test_sending_invitations_is_throttled_per_enterprise(make_app, mail_sink):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_INVITE="2 per hour")
    client = app.test_client()
    register(client)
    set_english(client)
    assert invite(client, "one@example.com").status_code == 302
    assert invite(client, "two@example.com").status_code == 302
    response = invite(client, "three@example.com")
    assert response.status_code == 429
    assert "You have sent many invitations in a short time" in response.text
    assert mail_sink.to("three@example.com") == []
    # The page itself still opens; the invitations sent still work.
    assert client.get("/account/team").status_code == 200
    assert app.test_client().get(invitation_link(mail_sink, "two@example.com")).status_code == 200


def test_opening_invitation_links_is_throttled_per_address(make_app, mail_sink):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_INVITE_ACCEPT="3 per minute")
    owner = app.test_client()
    register(owner)
    invite(owner)
    guesser = app.test_client()
    set_english(guesser)
    for n in range(3):
        assert guesser.get(f"/invite/guess-{n}").status_code == 404
    response = guesser.get(invitation_link(mail_sink))
    assert response.status_code == 429
    assert "Too many attempts to open invitation links" in response.text


def test_when_the_email_cannot_be_sent_the_owner_gets_the_link_to_pass_on(make_app, mail_sink):
    app = make_app(MAIL_PORT=1)  # nothing listens there: sending fails
    owner = app.test_client()
    register(owner)
    set_english(owner)
    response = invite(owner)
    assert response.status_code == 200
    assert "the email could not be sent" in text_of(response)
    link = re.search(r'id="manual-link-input"[^>]*value="([^"]+)"', response.text).group(1)
    path = urlsplit(html.unescape(link)).path
    with app_session(app) as s:
        assert s.scalar(select(Invitation.email)) == COLLEAGUE
    assert accept(app.test_client(), path).status_code == 302


def test_an_expired_form_keeps_the_typed_address(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_from(client.get("/auth/register").text)
    register(client, csrf_token=token)
    token = csrf_from(client.get("/account/team").text)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    response = client.post("/account/team/invite", data={"email": COLLEAGUE, "csrf_token": "stale"})
    assert response.status_code == 200
    assert "The page had expired" in response.text
    assert f'value="{COLLEAGUE}"' in response.text
