"""Review (审核) of campaign submissions: the plausibility checks (each fires on a crafted answer set
and not on a plain one), entering review at submit, approve and return with a note (shown on the
enterprise's home and mailed), correcting in a new pre-filled draft with both rounds in the
history, audit, and dashboards and exports limited to approved submissions, saying so."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from functools import cache

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assessment.core import plausibility
from assessment.core.plausibility import Other, Submission, flags, reason
from assessment.core.questionnaire import Registry
from assessment.core.scoring import score
from assessment.services.accounts import hash_password
from assessment.services.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignTarget,
    Enterprise,
    User,
)

from . import factories as f
from .conftest import PROJECT_DIR, app_session
from .helpers import USCC_A, login, register, save_page, start, typical_answers

PASSWORD = "Review-Pass-2025"
HOUR = 3600.0
CODES = itertools.count(1)


@cache
def questionnaires() -> Registry:
    return Registry.from_directory(PROJECT_DIR / "questionnaires")


def submission(qid: str, answers: dict | None = None, seconds: float | None = HOUR,
               previous: float | None = None, others: dict | None = None) -> Submission:  # fmt: skip
    q = questionnaires().get(qid)
    answers = typical_answers(q) if answers is None else answers
    others = {o: Other(questionnaires().get(o), a) for o, a in (others or {}).items()}
    return Submission(q, answers, score(q, answers), seconds, previous, others)


def codes(found) -> list[str]:
    return [flag.code for flag in found]


def english(stored) -> str:
    return reason(stored).render(lambda message, **params: message % params, "en")


# --- the checks, one by one ---------------------------------------------------------------------


@pytest.mark.parametrize("qid", ["lianghua", "cloud", "miit"])
def test_a_plain_submission_raises_no_flag(qid):
    plain = submission(qid, previous=score(questionnaires().get(qid), typical_answers(
        questionnaires().get(qid))).total - 10)  # fmt: skip
    others = {o: typical_answers(questionnaires().get(o)) for o in ("lianghua", "cloud", "miit")
              if o != qid}  # fmt: skip
    assert flags(plain) == []
    assert flags(submission(qid, others=others)) == []


def test_more_networked_machines_than_machines_in_all():
    answers = typical_answers(questionnaires().get("miit"))
    crafted = answers | {"m_equipment_total": 40, "m_equipment_digital_count": 30,
                         "m_equipment_networked_count": 50}  # fmt: skip
    found = flags(submission("miit", crafted))
    assert codes(found)[:2] == ["networked_above_total", "networked_above_digital"]
    text = english(found[0].as_dict())
    assert (
        text
        == "“Number of networked production machines” (50) is more than “Total number of production machines” (40)."
    )
    fine = answers | {"m_equipment_total": 40, "m_equipment_digital_count": 30,
                      "m_equipment_networked_count": 30}  # fmt: skip
    assert flags(submission("miit", fine)) == []


def test_more_networked_than_digital_in_the_lianghua_shares():
    answers = typical_answers(questionnaires().get("lianghua"))
    crafted = answers | {"f_equipment_digital_rate": 30, "f_equipment_networked_rate": 80}
    found = flags(submission("lianghua", crafted))
    assert codes(found) == ["networked_above_digital"]
    assert "(80) is more than" in english(found[0].as_dict())
    equal = answers | {"f_equipment_digital_rate": 80, "f_equipment_networked_rate": 80}
    assert flags(submission("lianghua", equal)) == []


def test_cloud_systems_claimed_while_another_questionnaire_says_no_system_at_all():
    lianghua = typical_answers(questionnaires().get("lianghua")) | {"f_systems": ["none"]}
    cloud = typical_answers(questionnaires().get("cloud"))  # ladders at L2: a cloud system
    for found in (flags(submission("cloud", cloud, others={"lianghua": lianghua})),
                  flags(submission("lianghua", lianghua, others={"cloud": cloud}))):  # fmt: skip
        assert codes(found) == ["cloud_without_systems"]
        assert english(found[0].as_dict()).startswith(
            "“Enterprise cloud adoption assessment” claims"
        )
    no_cloud = {
        k: (1 if k.startswith("s_") and isinstance(v, int) else v) for k, v in cloud.items()
    }
    assert flags(submission("cloud", no_cloud, others={"lianghua": lianghua})) == []
    miit = typical_answers(questionnaires().get("miit")) | {"m_info_systems": "a"}
    assert codes(flags(submission("cloud", cloud, others={"miit": miit}))) == [
        "cloud_without_systems"
    ]


def test_a_miit_level_claimed_that_the_miit_scenarios_do_not_support():
    miit_q = questionnaires().get("miit")
    claim = typical_answers(questionnaires().get("lianghua"))
    claim["p_recognition"] = ["miit_level"]
    low = typical_answers(miit_q) | {q.id: 1 for q in miit_q.scenarios}
    found = flags(submission("lianghua", claim, others={"miit": low}))
    assert codes(found) == ["miit_claim_without_scenarios"]
    assert english(found[0].as_dict()).endswith(
        "0 at level 2 or above (0 constrained); Level 2 needs 6 (3 constrained)."
    )
    assert codes(flags(submission("miit", low, others={"lianghua": claim}))) == [
        "miit_claim_without_scenarios"
    ]
    high = typical_answers(miit_q) | {q.id: 3 for q in miit_q.scenarios}
    assert flags(submission("lianghua", claim, others={"miit": high})) == []
    assert flags(submission("lianghua", claim)) == []  # no MIIT self-assessment to compare


def test_everything_at_the_top():
    for qid in ("lianghua", "cloud", "miit"):
        best = typical_answers(questionnaires().get(qid), "best")
        assert "all_at_top" in codes(flags(submission(qid, best))), qid


def test_finished_implausibly_fast():
    found = flags(submission("cloud", seconds=90))
    assert codes(found) == ["too_fast"]
    assert re.match(r"Filled in within 1\.5 minutes for \d+ answers: under 6 seconds", english(
        found[0].as_dict()))  # fmt: skip
    assert flags(submission("cloud", seconds=None)) == []  # a correction is not timed


def test_a_jump_of_more_than_thirty_points():
    total = submission("cloud").result.total
    found = flags(submission("cloud", previous=total - 30.5))
    assert codes(found) == ["big_jump"]
    assert english(found[0].as_dict()) == (
        f"The total moved from {total - 30.5:.1f} to {total:.1f} since the previous assessment: "
        "more than 30 points."
    )
    assert flags(submission("cloud", previous=total - 30)) == []
    assert codes(flags(submission("cloud", previous=total + 31))) == ["big_jump"]


def test_a_stored_flag_reads_in_either_language():
    stored = plausibility.Flag("networked_above_total", {
        "part": {"zh": "联网设备", "en": "Networked"}, "part_value": "5",
        "whole": {"zh": "设备总数", "en": "All"}, "whole_value": "4"}).as_dict()  # fmt: skip
    zh = reason(stored).render(lambda message, **params: message % params, "zh")
    assert "联网设备" in zh and english(stored).startswith("“Networked” (5)")
    assert english({"code": "retired_check", "params": {}}) == "Flagged for review (retired_check)."


# --- in the app ---------------------------------------------------------------------------------


def make_user(app, email, role, towns=None):
    with app_session(app) as s:
        s.add(User(email=email, password_hash=hash_password(PASSWORD), role=role, towns=towns))
        s.commit()


def running_campaign(app, questionnaire="cloud", days=(-5, 5)) -> str:
    """A campaign of `questionnaire` with enterprise A (registered) as its bound target."""
    today = date.today()
    with app_session(app) as s:
        a = s.scalar(select(Enterprise).where(Enterprise.uscc == USCC_A))
        campaign = Campaign(name="2025 年度评测", questionnaire_ids=[questionnaire],
                            starts_on=today + timedelta(days=days[0]),
                            ends_on=today + timedelta(days=days[1]))  # fmt: skip
        s.add(campaign)
        s.add(CampaignTarget(campaign=campaign, uscc=a.uscc, name=a.name, town=a.town,
                             industry=a.industry, invite_code=f"REVIEW{next(CODES):06d}",
                             enterprise_id=a.id))  # fmt: skip
        s.commit()
        return campaign.public_id


def fill_and_submit(client, registry, qid="cloud", answers=None) -> str:
    """Fill every page of `qid` as enterprise A and submit; the assessment's public id."""
    questionnaire = registry.get(qid)
    answers = answers or typical_answers(questionnaire)
    url = start(client, qid)
    base = url.rsplit("/", 1)[0]
    for index in range(len(questionnaire.pages)):
        save_page(client, f"{base}/{index}", questionnaire, index, answers)
    public_id = base.split("/a/")[1].split("/")[0]
    assert client.post(f"/a/{public_id}/review").status_code == 302
    return public_id


def stored(app, public_id) -> Assessment:
    with app_session(app) as s:
        a = s.scalar(select(Assessment).where(Assessment.public_id == public_id))
        s.expunge(a)
        return a


@pytest.fixture
def in_review(client, app, registry):
    """Enterprise A submitted its cloud assessment for a running campaign: pending review."""
    register(client)
    running_campaign(app)
    public_id = fill_and_submit(client, registry)
    return client, public_id


def test_a_campaign_submission_waits_in_review_with_its_flags(in_review, app):
    _client, public_id = in_review
    a = stored(app, public_id)
    assert a.review_status == "pending" and a.campaign_id is not None
    assert "too_fast" in [flag["code"] for flag in a.review_flags]  # filled in by a test, in ms


def test_submissions_outside_a_running_campaign_are_not_reviewed(client, app, registry):
    register(client)
    running_campaign(app, days=(-30, -1))  # ended yesterday
    running_campaign_for_lianghua = running_campaign(app, "lianghua")
    assert running_campaign_for_lianghua
    a = stored(app, fill_and_submit(client, registry))  # cloud: its campaign has ended
    assert a.review_status is None and a.campaign_id is None and a.review_flags is None


def bureau_client(app, email="reviewer@jxj.example", role="bureau", towns=None):
    make_user(app, email, role, towns)
    client = app.test_client()
    login(client, email, PASSWORD)
    return client


def test_the_queue_lists_it_with_reasons_for_the_bureau_and_the_towns_officer(in_review, app):
    _client, public_id = in_review
    bureau = bureau_client(app)
    queue = bureau.get("/bureau/review").text
    assert f"/bureau/review/{public_id}" in queue and "慈溪市示例电器有限公司" in queue
    assert "分钟内完成了" in queue  # the too-fast reason, in Chinese
    officer = bureau_client(app, "zx@jxj.example", "town_officer", ["zhouxiang"])
    assert f"/bureau/review/{public_id}" in officer.get("/bureau/review").text
    page = officer.get(f"/bureau/review/{public_id}").text
    assert 'name="send_back"' not in page  # officers read; the bureau decides
    assert officer.post(f"/bureau/review/{public_id}", data={"approve": "y"}).status_code == 403
    other = bureau_client(app, "gh@jxj.example", "town_officer", ["guanhaiwei"])
    assert f"/bureau/review/{public_id}" not in other.get("/bureau/review").text
    assert other.get(f"/bureau/review/{public_id}").status_code == 404


def test_return_with_a_note_shows_on_home_and_in_a_mail_then_correct_and_resubmit(
    in_review, app, registry, mail_sink
):
    client, public_id = in_review
    bureau = bureau_client(app)
    empty = bureau.post(f"/bureau/review/{public_id}", data={"send_back": "y", "note": "  "})
    assert empty.status_code == 200 and "请写明企业需要修改什么。" in empty.text
    note = "设备联网台数大于设备总数，请核对设备台账后重新填写。"
    sent = bureau.post(f"/bureau/review/{public_id}", data={"send_back": "y", "note": note})
    assert sent.status_code == 302
    assert stored(app, public_id).review_status == "returned"
    (mail,) = mail_sink.to("a@example.com")
    assert note in mail_sink.text(mail) and "退回修改" in mail["Subject"]
    (link,) = [u for u in mail_sink.links(mail) if u.endswith("/my")]
    home = client.get(link.split("localhost", 1)[-1]).text
    assert note in home and f"/my/correct/{public_id}" in home and "去修改" in home
    again = bureau.post(f"/bureau/review/{public_id}", data={"approve": "y"})
    assert again.status_code == 409 and "这份提交已被其他人审核。" in again.text

    opened = client.post(f"/my/correct/{public_id}")
    draft_id = opened.headers["Location"].split("/a/")[1].split("/")[0]
    returned, draft = stored(app, public_id), stored(app, draft_id)
    assert draft.status == "draft" and draft.corrects_id == returned.id
    assert draft.answers == returned.answers  # pre-filled from the returned one
    assert client.post(f"/my/correct/{public_id}").headers["Location"] == opened.headers["Location"]
    assert "继续修改" in client.get("/my").text
    draft_page = client.get(opened.headers["Location"]).text  # every page says what to correct
    assert "您正在修改" in draft_page and note in draft_page
    assert note in client.get(f"/a/{draft_id}/review").text

    assert client.post(f"/a/{draft_id}/review").status_code == 302  # submit the correction
    corrected = stored(app, draft_id)
    assert corrected.review_status == "pending" and corrected.campaign_id == returned.campaign_id
    assert "too_fast" not in [flag["code"] for flag in corrected.review_flags or []]
    home = client.get("/my").text
    assert home.count("已退回修改") == 1 and "待审核" in home  # both rounds in the history
    assert f"/my/correct/{public_id}" not in home  # the note is answered
    assert (
        "已经修改并重新提交" in client.post(f"/my/correct/{public_id}", follow_redirects=True).text
    )
    rounds = bureau.get(f"/bureau/review/{draft_id}").text
    assert note in rounds and f"/bureau/review/{public_id}" in rounds
    with app_session(app) as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("return_submission") == 1 and actions.count("start_correction") == 1


def test_approve_and_the_audit_trail(in_review, app):
    client, public_id = in_review
    bureau = bureau_client(app)
    bureau.get(f"/bureau/review/{public_id}")
    undecided = bureau.post(f"/bureau/review/{public_id}", data={})  # no button: nothing
    assert undecided.status_code == 200 and "请选择“审核通过”或“退回修改”。" in undecided.text
    assert bureau.post(f"/bureau/review/{public_id}", data={"approve": "y"}).status_code == 302
    a = stored(app, public_id)
    assert a.review_status == "approved" and a.reviewed_at is not None and not a.review_note
    assert "已通过" in client.get("/my").text
    refused = client.post(f"/my/correct/{public_id}")  # not returned: nothing to correct
    assert refused.headers["Location"].endswith("/my")
    assert "只有被退回的提交才能修改。" in client.get("/my").text
    with app_session(app) as s:
        assert s.scalar(select(Assessment.id).where(Assessment.corrects_id.is_not(None))) is None
    with app_session(app) as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.target_id)).all()
    assert ("view_review", public_id) in events and ("approve_submission", public_id) in events


# --- approved only ------------------------------------------------------------------------------


def approved_city(app):
    """Real enterprises (last 24 months): one approved at 70; one whose latest (90, pending) came
    after an approved 50; one pending at 30; one outside any campaign at 10."""
    with app_session(app) as s:
        campaign = Campaign(name="往年任务", questionnaire_ids=["lianghua"],
                            starts_on=date.today() - timedelta(days=60), ends_on=date.today())  # fmt: skip
        s.add(campaign)
        s.flush()
        for name, rounds in (("甲", [(70, "approved")]), ("乙", [(50, "approved"), (90, "pending")]),
                             ("丙", [(30, "pending")]), ("丁", [(10, None)])):  # fmt: skip
            ent = f.enterprise(s, name=f"审核企业{name}")
            for n, (total, status) in enumerate(rounds):
                a = f.submitted(s, ent, total, days_ago=30 - n)
                a.review_status, a.campaign_id = status, campaign.id if status else None
        s.commit()


def test_dashboards_and_exports_limited_to_approved_submissions_say_so(client, app):
    approved_city(app)
    make_user(app, "analyst@jxj.example", "bureau")
    login(client, "analyst@jxj.example", PASSWORD)
    every = client.get("/bureau/?period=24m").text
    assert re.search(r'id="kpi-participants">4<', every) and "全部提交" in every
    approved = client.get("/bureau/?period=24m&review=approved").text
    assert re.search(r'id="kpi-participants">2<', approved)  # 甲 70 and 乙's approved 50
    assert re.search(r'id="kpi-mean">60\.0<', approved) and "仅审核通过的提交" in approved
    listing = client.get("/bureau/enterprises?period=24m&review=approved").text
    assert "审核企业甲" in listing and "审核企业乙" in listing and "审核企业丙" not in listing
    response = client.get("/bureau/export.csv?period=24m&review=approved")
    assert "-approved-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted((r[1], r[8]) for r in rows[1:-1]) == [
        ("审核企业乙", "50.0"),
        ("审核企业甲", "70.0"),
    ]
    assert rows[-1] == ["仅审核通过的提交"]
    plain = list(csv.reader(io.StringIO(
        client.get("/bureau/export.csv?period=24m").data.decode("utf-8-sig"))))  # fmt: skip
    assert len(plain) == 5 and plain[-1][1].startswith("审核企业")  # no note: as before
    book = load_workbook(io.BytesIO(client.get("/bureau/export.xlsx?period=24m&review=approved")
                                    .data), read_only=True)  # fmt: skip
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 3
    assert list(book.worksheets[1].iter_rows(values_only=True))[-1][0] == "仅审核通过的提交"


def test_an_approval_shows_at_once_in_approved_only_figures(in_review, app):
    _client, public_id = in_review
    bureau = bureau_client(app)
    url = "/bureau/?q=cloud&review=approved"
    assert re.search(r'id="kpi-participants">0<', bureau.get(url).text)  # cached now
    bureau.post(f"/bureau/review/{public_id}", data={"approve": "y"})
    assert re.search(r'id="kpi-participants">1<', bureau.get(url).text)


# --- demo data ----------------------------------------------------------------------------------


def test_the_demo_shows_flagged_approved_and_returned_submissions(make_app):
    app = make_app(DEMO_MODE=True)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--enterprises", "120", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "demo-officer@cixi.example" in result.output
    with app_session(app) as s:
        rows = s.execute(
            select(Assessment.review_status, Assessment.review_flags, Assessment.enterprise_id)
            .where(Assessment.campaign_id.is_not(None))
        ).all()  # fmt: skip
        demo = s.scalar(select(User).where(User.email == "demo-enterprise@cixi.example"))
        officer = s.scalar(select(User).where(User.email == "demo-officer@cixi.example"))
        assert officer.role == "town_officer" and officer.towns
    statuses = {status for status, _flags, _e in rows}
    assert statuses == {"pending", "approved", "returned"}
    assert any(flags for _s, flags, _e in rows)  # the real checks found something
    assert ("returned", demo.enterprise_id) in {(s, e) for s, _f, e in rows}
    client = app.test_client()
    login(client, "demo-enterprise@cixi.example", "cixi-demo-2025")
    assert "去修改" in client.get("/my").text
    login(bureau := app.test_client(), "demo-bureau@cixi.example", "cixi-demo-2025")
    flagged = bureau.get("/bureau/review?status=all&flagged=y").text
    assert 'class="flag-list"' in flagged and "暂无" not in flagged
