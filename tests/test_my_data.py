"""My data: an enterprise user downloads everything held about the enterprise as a ZIP (JSON equal
to the database rows, a bilingual README, the PDF of every submitted assessment); no secret and
nothing of another enterprise is in it; the download is audited; the privacy page says what is
kept, for how long and who sees it, and links the download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from assessment.services import api_tokens, audit
from assessment.services.models import (
    Assessment,
    AuditEvent,
    Campaign,
    CampaignReminder,
    CampaignTarget,
    DimensionScore,
    Enterprise,
    QuestionScore,
    User,
)

from .conftest import app_session
from .helpers import USCC_B, login, register, save_page, set_english, start, typical_answers
from .test_profile import ADMIN, add_user, submit_cloud

NAME_A = "慈溪市示例电器有限公司"
NAME_B = "宁波乙方轴承有限公司"


def download(client) -> zipfile.ZipFile:
    response = client.get("/account/my-data.zip")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def everything(archive: zipfile.ZipFile) -> str:
    """All the text a person could read in the ZIP: JSON, README and the PDFs' text."""
    parts = []
    for name in archive.namelist():
        raw = archive.read(name)
        parts.append(pdf_text(raw) if name.endswith(".pdf") else raw.decode("utf-8"))
    return "\n".join(parts)


def save_first_lianghua_page(client, registry) -> None:
    lianghua = registry.get("lianghua")
    url = start(client, "lianghua")
    save_page(client, url, lianghua, 0, typical_answers(lianghua), nav="save")


def test_the_zip_holds_the_json_equal_to_the_database_a_readme_and_one_pdf_per_submitted(
    app, client, registry
):
    register(client)
    submit_cloud(client, registry)
    submit_cloud(client, registry)
    save_first_lianghua_page(client, registry)  # a draft: in the JSON, no PDF
    archive = download(client)
    names = archive.namelist()
    assert {"README.txt", "my-data.json"} <= set(names)
    pdfs = [n for n in names if n.startswith("reports/") and n.endswith(".pdf")]
    assert len(pdfs) == 2
    data = json.loads(archive.read("my-data.json"))
    with app_session(app) as s:
        rows = s.scalars(select(Assessment).order_by(Assessment.id)).all()
        assert [a["public_id"] for a in data["assessments"]] == [r.public_id for r in rows]
        for row, item in zip(rows, data["assessments"], strict=True):
            assert item["answers"] == row.answers and item["answers"]
            assert item["status"] == row.status
            assert item["last_saved_by"]["email"] == "a@example.com"
            if row.status != "submitted":
                assert item["scores"] is None and item["report_file"] is None
                continue
            assert item["submitted_by"]["email"] == "a@example.com"
            assert item["scores"]["total"] == row.total
            dims = s.execute(select(DimensionScore.dimension_id, DimensionScore.score)
                             .where(DimensionScore.assessment_id == row.id)).all()  # fmt: skip
            assert item["scores"]["dimensions"] == dict(dims) and dims
            questions = s.scalars(
                select(QuestionScore).where(QuestionScore.assessment_id == row.id)
            ).all()
            assert item["scores"]["questions"] == {
                q.question_id: {"points": q.points, "max_points": q.max_points} for q in questions
            }
            assert item["benchmarked_as"]["town"]["zh"] == "周巷镇"
            assert item["report_file"] in pdfs
            assert NAME_A in pdf_text(archive.read(item["report_file"]))
    assert (
        data["enterprise"]["name"] == NAME_A and data["enterprise"]["size_class"]["en"] == "Small"
    )
    assert [u["email"] for u in data["users"]] == ["a@example.com"]
    assert data["users"][0]["membership"] == "owner"


def test_no_password_hash_or_secret_is_anywhere_in_the_zip(app, client, registry):
    register(client)
    submit_cloud(client, registry)
    with app_session(app) as s:
        user = s.scalar(select(User))
        user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        s.commit()
        secrets = [user.password_hash, user.totp_secret]
    archive = download(client)
    readable = everything(archive)
    raw = b"".join(archive.read(n) for n in archive.namelist())
    for secret in secrets:
        assert secret not in readable and secret.encode() not in raw
    assert "scrypt:" not in readable and "password_hash" not in readable
    assert "totp_secret" not in readable and "session_version" not in readable


def test_another_enterprise_never_appears(app, client, registry):
    register(client)
    submit_cloud(client, registry)
    other = app.test_client()
    register(other, uscc=USCC_B, email="b@example.com", name=NAME_B, town="kandun")
    b_result = submit_cloud(other, registry)
    add_user(app, ADMIN, "admin")
    admin = app.test_client()
    login(admin, ADMIN)
    admin.get(b_result)  # audited: about B, not A
    with app_session(app) as s:
        b = s.scalar(select(Enterprise).where(Enterprise.uscc == USCC_B))
        b_ids = [b.public_id] + [a.public_id for a in b.assessments]
        user_a = s.scalar(select(User).where(User.email == "a@example.com"))
        # An event by one of A's people about B's assessment (say, before moving enterprise) is
        # B's business, not A's.
        audit.record(s, user_a, audit.VIEW_RESULT, "assessment", b_ids[1], {"enterprise": b_ids[0]})
    text = everything(download(client))
    for secret in [NAME_B, USCC_B, "b@example.com", *b_ids]:
        assert secret not in text, secret
    assert NAME_A in text


def test_views_by_staff_are_listed_by_role_and_the_download_is_audited(app, client, registry):
    register(client)
    result = submit_cloud(client, registry)
    add_user(app, ADMIN, "admin")
    admin = app.test_client()
    login(admin, ADMIN)
    admin.get(result)
    data = json.loads(download(client).read("my-data.json"))
    viewed = [e for e in data["audit_events"] if e["action"] == audit.VIEW_RESULT]
    assert len(viewed) == 1 and viewed[0]["by"] == {"role": "admin"} and viewed[0]["ip"] is None
    assert ADMIN not in json.dumps(data)
    with app_session(app) as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        enterprise = s.scalar(select(Enterprise))
        assert (event.action, event.target_id) == (audit.EXPORT_OWN_DATA, enterprise.public_id)
        assert event.user_id == s.scalar(select(User.id).where(User.email == "a@example.com"))


def test_a_member_downloads_the_enterprises_data_too(app, client, registry):
    register(client)
    submit_cloud(client, registry)
    add_user(app, "member@example.com", "enterprise", "member")
    member = app.test_client()
    login(member, "member@example.com")
    data = json.loads(download(member).read("my-data.json"))
    assert data["exported_by"] == "member@example.com"
    assert {u["email"] for u in data["users"]} == {"a@example.com", "member@example.com"}
    assert len(data["assessments"]) == 1


def test_the_readme_says_what_each_file_is_in_chinese_and_english(client):
    register(client)
    readme = download(client).read("README.txt").decode("utf-8")
    assert NAME_A in readme
    for part in ("my-data.json", "reports/", "audit_events", "provider_grants"):
        assert part in readme
    assert "The PDF diagnosis report of every submitted assessment" in readme
    assert "每一份已提交评估的 PDF 诊断报告" in readme


def test_the_account_page_and_the_privacy_page_link_the_download(client):
    register(client)
    set_english(client)
    assert "/account/my-data.zip" in client.get("/account/").text
    privacy = client.get("/privacy").text
    assert "/account/my-data.zip" in privacy
    for words in ("Nothing is deleted automatically", "audit log", "backup", "service provider"):
        assert words in privacy, words


def test_campaign_lists_reviews_and_api_tokens_are_in_without_codes_or_token_secrets(
    app, client, registry
):
    register(client)
    submit_cloud(client, registry)
    other = app.test_client()
    register(other, uscc=USCC_B, email="b@example.com", name=NAME_B)
    add_user(app, ADMIN, "admin")
    with app_session(app) as s:
        a = s.scalar(select(Enterprise).where(Enterprise.name == NAME_A))
        campaign = Campaign(name="2026年度数字化评估", questionnaire_ids=["cloud"],
                            starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))  # fmt: skip
        s.add(campaign)
        s.flush()
        ours = CampaignTarget(campaign_id=campaign.id, uscc=a.uscc, name="慈溪示例电器（名单）",
                              town="zhouxiang", industry="appliances", contact_email="li@a.example",
                              invite_code="SECRETCODE000001", enterprise_id=a.id)  # fmt: skip
        theirs = CampaignTarget(campaign_id=campaign.id, uscc=USCC_B, name=NAME_B, town="kandun",
                                industry="bearings", invite_code="SECRETCODE000002")  # fmt: skip
        s.add_all([ours, theirs])
        s.flush()
        s.add(CampaignReminder(target_id=ours.id, kind="not_submitted", email="li@a.example"))
        assessment = s.scalar(select(Assessment).where(Assessment.enterprise_id == a.id))
        admin = s.scalar(select(User).where(User.email == ADMIN))
        assessment.campaign_id, assessment.review_status = campaign.id, "returned"
        assessment.review_note, assessment.reviewed_by_id = "员工人数与营收不符，请核对", admin.id
        s.commit()
        owner = s.scalar(select(User).where(User.email == "a@example.com"))
        secret = api_tokens.create(s, owner, "ERP 对接", [api_tokens.READ_OWN], 30).secret
        b_owner = s.scalar(select(User).where(User.email == "b@example.com"))
        api_tokens.create(s, b_owner, "乙方令牌", [api_tokens.READ_OWN], 30)
    archive = download(client)
    data = json.loads(archive.read("my-data.json"))
    [listed] = data["campaign_lists"]
    assert listed["campaign"]["name"] == "2026年度数字化评估"
    assert listed["as_imported"]["contact_email"] == "li@a.example"
    assert [r["kind"] for r in listed["reminders"]] == ["not_submitted"]
    [reviewed] = [x for x in data["assessments"] if x["review"]]
    assert (
        reviewed["review"]["status"] == "returned" and reviewed["campaign"] == "2026年度数字化评估"
    )
    assert reviewed["review"]["note"] == "员工人数与营收不符，请核对"
    assert reviewed["review"]["reviewed_by"] == {"role": "admin"}
    [token] = data["api_tokens"]
    assert token["name"] == "ERP 对接" and token["scopes"] == ["read:own"]
    text = everything(archive)
    for hidden in ("SECRETCODE000001", "SECRETCODE000002", secret, NAME_B, ADMIN, "乙方令牌"):
        assert hidden not in text, hidden
