"""Invitations: letters (PDF) and the mail-merge CSV carry each target's personal link and code;
the link opens a registration filled in from the list and binds the enterprise; a listed credit
code binds too; typed codes are throttled; reminders go through the real mail server, once a
week at most, each attempt logged."""

from __future__ import annotations

import csv
import io
import re
import socket
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select, update

from assessment.services.campaigns import format_code
from assessment.services.models import CampaignReminder, CampaignTarget, Enterprise, User

from .campaign_fixtures import (
    HEADER,
    bureau_client,
    code,
    import_file,
    make_campaign,
    row,
    targets,
    xlsx,
)
from .conftest import app_session, csrf_from
from .helpers import PASSWORD, register, registration
from .job_helpers import consuming


def _campaign_with_targets(app, rows=(1, 2, 3), **fields):
    client, public_id = bureau_client(app), make_campaign(app, **fields)
    _preview, done = import_file(client, public_id, xlsx([HEADER] + [row(n) for n in rows]))
    assert done.status_code == 302
    return client, public_id, {t.uscc: t for t in targets(app, public_id)}


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_letters_carry_each_enterprise_its_code_and_link(app):
    client, public_id, found = _campaign_with_targets(app)
    response = client.get(f"/bureau/campaigns/{public_id}/letters.pdf?which=all")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = _pdf_text(response.data)
    assert len(pages) == 3
    page = next(p for p in pages if "慈溪市测试2号电器有限公司" in p)
    target = found[code(2)]
    assert format_code(target.invite_code) in page
    assert f"/join/{target.invite_code}" in page.replace("\n", "")
    town = client.get(f"/bureau/campaigns/{public_id}/letters.pdf?which=all&town=hushan")
    assert town.status_code == 302  # no target in 浒山: told so, no empty PDF


def test_mail_merge_csv_has_one_row_per_target(app):
    client, public_id, found = _campaign_with_targets(app)
    response = client.get(f"/bureau/campaigns/{public_id}/invitations.csv?which=all")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "企业名称" and len(rows) == 4
    first = next(r for r in rows if r[1] == code(1))
    target = found[code(1)]
    assert first[3:6] == ["王经理", "0574-63001234", "boss1@example.com"]
    assert first[6].endswith(f"/join/{target.invite_code}") and first[7] == format_code(
        target.invite_code
    )


def test_the_personal_link_prefills_registration_and_binds_the_target(app, mail_sink):
    _client, public_id, found = _campaign_with_targets(app)
    target = found[code(2)]
    visitor = app.test_client()
    page = visitor.get(f"/join/{target.invite_code}")
    assert page.status_code == 200
    for value in (code(2), "慈溪市测试2号电器有限公司", "王经理", "0574-63001234", "boss2@example.com",
                  'value="120"', 'value="8600'):  # fmt: skip
        assert value in page.text, value
    assert re.search(r'<option selected value="zhouxiang">', page.text)
    data = registration(uscc=code(2), name="慈溪市测试2号电器有限公司", email="boss2@example.com")
    response = visitor.post(f"/join/{target.invite_code.lower()}", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    assert len(mail_sink.to("boss2@example.com")) == 1  # the address to confirm, as at /register
    with app_session(app) as s:
        enterprise = s.scalar(select(Enterprise).where(Enterprise.uscc == code(2)))
        bound = s.get(CampaignTarget, target.id)
        assert bound.enterprise_id == enterprise.id
    home = visitor.get("/my")
    assert "2025年度数字化评测" in home.text and "请在截止日期前完成。" in home.text
    again = app.test_client().get(f"/join/{target.invite_code}")
    assert "已注册" in again.text or "already registered" in again.text


def test_registering_with_a_listed_code_links_automatically(app):
    _client, _public_id, found = _campaign_with_targets(app)
    response = register(app.test_client(), uscc=code(3), email="direct@example.com")
    assert response.status_code == 302
    with app_session(app) as s:
        enterprise_id = s.scalar(select(Enterprise.id).where(Enterprise.uscc == code(3)))
        assert s.get(CampaignTarget, found[code(3)].id).enterprise_id == enterprise_id
        assert s.get(CampaignTarget, found[code(1)].id).enterprise_id is None


def test_the_campaign_shows_only_to_listed_enterprises_while_it_runs(app):
    _campaign_with_targets(app, name="已结束的任务", days=(-60, -1))
    listed = app.test_client()
    register(listed, uscc=code(1), email="listed@example.com")
    assert "已结束的任务" not in listed.get("/my").text
    make_campaign(app, name="正在进行的任务")
    other = app.test_client()
    register(other, uscc=code(50), email="other@example.com")
    assert "正在进行的任务" not in other.get("/my").text


def test_a_typed_code_leads_to_the_link_and_wrong_codes_are_throttled(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_JOIN="3 per hour")
    _client, _public_id, found = _campaign_with_targets(app)
    target = found[code(1)]
    visitor = app.test_client()
    typed = " " + format_code(target.invite_code).lower().replace("-", " - ") + " "
    ok = visitor.post("/join", data={"code": typed})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/join/{target.invite_code}")
    for _ in range(3):
        wrong = visitor.post("/join", data={"code": "ABCD-EFGH-JKMN"})
        assert wrong.status_code == 200 and "There is no invitation" in wrong.text.replace(
            "没有与此邀请码对应的邀请", "There is no invitation"
        )
    assert visitor.post("/join", data={"code": "ABCD-EFGH-JKMP"}).status_code == 429
    assert visitor.get("/join/ABCDEFGHJKMN").status_code == 429


def test_an_unknown_link_answers_404_with_the_code_form(client):
    response = client.get("/join/NOSUCHCODE12")
    assert response.status_code == 404 and 'name="code"' in response.text


def _remind(client, public_id: str, token: str, worker) -> str:
    """Press the campaign page's reminder button; the status page once the job has ended."""
    response = client.post(f"/bureau/campaigns/{public_id}/remind", data={"csrf_token": token})
    assert response.status_code == 302 and "/bureau/jobs/" in response.headers["Location"]
    worker.wait(response.headers["Location"].rsplit("/", 1)[1])
    return client.get(response.headers["Location"]).text


def test_reminders_go_once_a_week_and_are_logged(app, mail_sink, job_worker):
    client, public_id, found = _campaign_with_targets(app)
    register(app.test_client(), uscc=code(3), email="owner3@example.com")
    page = client.get(f"/bureau/campaigns/{public_id}")
    token = csrf_from(page.text)
    status = _remind(client, public_id, token, job_worker)
    assert "已发送提醒 3 封" in status, status  # the status page's summary (Chinese: the default)
    unregistered = mail_sink.to("boss1@example.com")
    assert len(unregistered) == 1
    links = mail_sink.links(unregistered[0])
    assert any(link.endswith(f"/join/{found[code(1)].invite_code}") for link in links)
    assert "2025年度数字化评测" in mail_sink.text(unregistered[0])
    registered = mail_sink.to("boss3@example.com")
    assert len(registered) == 1 and any(
        "/auth/login" in link for link in mail_sink.links(registered[0])
    )
    mail_sink.clear()
    _remind(client, public_id, token, job_worker)
    assert mail_sink.messages == []  # not twice within a week
    with app_session(app) as s:
        logged = s.scalars(select(CampaignReminder).order_by(CampaignReminder.id)).all()
        assert len(logged) == 3 and all(r.ok for r in logged)
        assert {r.kind for r in logged} == {"not_started"}
        s.execute(
            update(CampaignReminder).values(sent_at=CampaignReminder.sent_at - timedelta(days=8))
        )
        s.commit()
    _remind(client, public_id, token, job_worker)
    assert len(mail_sink.messages) == 3  # a week later, again


def test_failed_reminders_are_logged_counted_and_tried_again(make_app, mail_sink):
    with socket.socket() as probe:  # a port nobody listens on: the mail server refuses
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app = make_app(MAIL_PORT=closed, JOB_MAX_ATTEMPTS=1)
    client, public_id, _found = _campaign_with_targets(app, rows=(1, 2))
    client.post("/language", data={"lang": "en", "next": "/"})
    token = csrf_from(client.get(f"/bureau/campaigns/{public_id}").text)
    with consuming(app) as worker:
        status = _remind(client, public_id, token, worker)
    assert "2 reminders could not be sent" in status
    assert "The mail server refused every reminder" in status  # the reason, after its one try
    with app_session(app) as s:
        assert [r.ok for r in s.scalars(select(CampaignReminder))] == [False, False]
    assert "2 targets are due a reminder now" in client.get(f"/bureau/campaigns/{public_id}").text


def test_the_cli_sends_the_due_reminders(app, runner, mail_sink):
    _client, public_id, _found = _campaign_with_targets(app, rows=(1,))
    result = runner.invoke(
        args=["campaign-remind", public_id, "--base-url", "https://cixi.example"]
    )
    assert result.exit_code == 0, result.output
    assert "1 reminders sent, 0 failed" in result.output
    message = mail_sink.to("boss1@example.com")[0]
    assert any(link.startswith("https://cixi.example/join/") for link in mail_sink.links(message))
    again = runner.invoke(args=["campaign-remind", "2025年度数字化评测"])
    assert "0 reminders sent" in again.output and "1 reminded in the last 7 days" in again.output
    assert runner.invoke(args=["campaign-remind", "no-such"]).exit_code != 0


def test_signed_in_users_are_not_registered_again_through_a_link(app):
    _client, _public_id, found = _campaign_with_targets(app)
    owner = app.test_client()
    register(owner, uscc=code(60), email="someone@example.com")
    response = owner.get(f"/join/{found[code(1)].invite_code}")
    assert response.status_code == 302
    with app_session(app) as s:
        assert s.scalar(select(User).where(User.email == "someone@example.com")) is not None
        assert s.get(CampaignTarget, found[code(1)].id).enterprise_id is None
    assert PASSWORD
