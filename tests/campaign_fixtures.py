"""What the campaign tests share: a signed-in bureau, a campaign, target lists built as real .xlsx
and .csv files, the upload-preview-commit steps as a browser does them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import select

from assessment.core.uscc import make_uscc
from assessment.services.accounts import hash_password
from assessment.services.models import Campaign, CampaignTarget, User

from .conftest import app_session
from .helpers import login
from .job_helpers import consuming

PASSWORD = "Campaign-Pass-2025"
HEADER = ["统一社会信用代码", "企业名称", "镇街", "行业", "从业人员", "营业收入（万元）", "联系人",
          "电话", "邮箱"]  # fmt: skip


def code(n: int) -> str:
    """A valid credit code, different for each n."""
    return make_uscc("330282", f"MA2C{n:04d}")


def row(n: int, **changes) -> list:
    """A good data row for target n (columns of HEADER)."""
    values = {
        "uscc": code(n), "name": f"慈溪市测试{n}号电器有限公司", "town": "周巷镇",
        "industry": "家用电器", "employees": 120, "revenue": 8600, "contact": "王经理",
        "phone": "0574-63001234", "email": f"boss{n}@example.com",
    }  # fmt: skip
    values.update(changes)
    return list(values.values())


def xlsx(rows: list[list], title: str | None = None) -> bytes:
    """An Excel workbook whose first sheet holds `rows` (after a merged title row, if given)."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file of `rows`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def bureau_client(app, email: str = "bureau@jxj.example"):
    """A test client signed in as a bureau user."""
    with app_session(app) as s:
        if s.scalar(select(User).where(User.email == email)) is None:
            s.add(User(email=email, password_hash=hash_password(PASSWORD), role="bureau"))
            s.commit()
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302
    return client


def make_campaign(app, questionnaire_ids=("lianghua",), days=(-10, 30), **fields) -> str:
    """A running campaign; returns its public id."""
    today = date.today()
    with app_session(app) as s:
        campaign = Campaign(
            name=fields.pop("name", "2025年度数字化评测"),
            description=fields.pop("description", "请在截止日期前完成。"),
            questionnaire_ids=list(questionnaire_ids),
            starts_on=today + timedelta(days=days[0]),
            ends_on=today + timedelta(days=days[1]),
            **fields,
        )
        s.add(campaign)
        s.commit()
        return campaign.public_id


def upload(client, public_id: str, data: bytes, filename: str = "targets.xlsx"):
    """Post a file to the import form (the response: a redirect to the preview, or the form)."""
    return client.post(
        f"/bureau/campaigns/{public_id}/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def import_file(client, public_id: str, data: bytes, filename: str = "targets.xlsx"):
    """Upload, open the preview, commit, and let a real job consumer do the import: returns
    (preview page, commit response); the job has ended when it returns."""
    response = upload(client, public_id, data, filename)
    assert response.status_code == 302, response.text[:2000]
    preview_url = response.headers["Location"]
    preview = client.get(preview_url)
    done = client.post(preview_url)
    if done.status_code == 302 and "/bureau/jobs/" in done.headers["Location"]:
        with consuming(client.application) as worker:
            worker.wait(done.headers["Location"].rsplit("/", 1)[1])
    return preview, done


def targets(app, public_id: str) -> list[CampaignTarget]:
    """The campaign's targets, by credit code."""
    with app_session(app) as s:
        campaign = s.scalar(select(Campaign).where(Campaign.public_id == public_id))
        found = s.scalars(
            select(CampaignTarget)
            .where(CampaignTarget.campaign_id == campaign.id)
            .order_by(CampaignTarget.uscc)
        ).all()
        s.expunge_all()
        return list(found)
