"""Importing a campaign's target list: the preview lists every row's problem (saving nothing), the
commit saves all rows or none, re-importing updates by credit code. Files are built here as real
.xlsx and .csv files, including the bad ones a bureau actually sends."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from assessment.core.target_rows import check_row
from assessment.core.target_table import check_table
from assessment.core.uscc import make_uscc
from assessment.services.accounts import hash_password
from assessment.services.models import Enterprise, User

from .campaign_fixtures import (
    HEADER,
    PASSWORD,
    bureau_client,
    code,
    csv_bytes,
    import_file,
    make_campaign,
    row,
    targets,
    upload,
    xlsx,
)
from .conftest import app_session, csrf_from
from .helpers import register


def _messages(row_check) -> list[str]:
    fill = lambda message, **params: message % params if params else message  # noqa: E731
    return [p.render(fill, "en") for p in row_check.errors]


def _uscc_row(value) -> list[str]:
    return _messages(check_row(2, {"uscc": value, "name": "慈溪甲公司", "town": "浒山",
                                   "industry": "家用电器"}))  # fmt: skip


def test_each_invalid_code_is_refused_with_its_reason():
    good = code(1)
    assert _uscc_row(good) == []
    cases = {
        "913302821234": "18 characters long; this one has 12",
        good[:-3] + "IO" + good[-1]: "not allowed: I O",
        "5" + good[1:]: "starts with 9",
        "94" + good[2:]: "The second character must be 1",
        good[:2] + "33A282" + good[8:]: "6-digit region code",
        good[:16] + ("1" if good[16] != "1" else "2") + good[17]: "Character 17",
        good[:17] + ("1" if good[17] != "1" else "2"): "The check character (the last one)",
        "": "This cell is empty",
    }
    for value, reason in cases.items():
        found = _uscc_row(value)
        assert any(reason in m for m in found), (value, found)


def test_cells_that_spreadsheets_bend_are_read_or_explained():
    good = code(2)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in good[:8]) + "　" + good[8:] + " "
    checked = check_row(5, {"uscc": fullwidth, "name": "慈溪乙公司", "town": "Zhouxiang Town",
                            "industry": "appliances", "employees": 120.0, "revenue_wan": "8,600",
                            "contact_phone": 13812345678})  # fmt: skip
    assert checked.ok and checked.values.uscc == good
    assert (
        "Full-width characters or spaces were removed" in checked.notes[0].params["problem"].message
    )
    assert (checked.values.employees, checked.values.revenue_wan) == (120, 8600.0)
    assert checked.values.contact_phone == "13812345678" and checked.values.size_class == "small"
    lost = _uscc_row(9.13302821234567e17)
    assert any("Excel stored this code as a number" in m for m in lost)
    formula = check_row(6, {"uscc": good, "name": "=CONCAT(A1,B1)", "town": "浒山",
                            "industry": "家用电器"})  # fmt: skip
    assert any("formula (=CONCAT(A1,B1))" in m for m in _messages(formula))


def test_unknown_places_and_industries_suggest_the_closest():
    checked = check_row(3, {"uscc": code(3), "name": "慈溪丙公司", "town": "浒山街",
                            "industry": "家电", "size": "特大型"})  # fmt: skip
    found = _messages(checked)
    assert any("“浒山街”. Did you mean Hushan Subdistrict (hushan)?" in m for m in found)
    assert any("“家电”. Did you mean Household appliances (appliances)?" in m for m in found)
    assert any("Unknown size “特大型”" in m for m in found)


def test_header_below_merged_title_rows_and_duplicates_within_the_file():
    table = [["2025年 名单", None, None], [None, None], HEADER, row(1), [None] * 9, row(2),
             row(1, name="重复的企业")]  # fmt: skip
    checked = check_table(table, 100)
    assert checked.header_line == 3 and checked.problems == []
    assert [r.line for r in checked.rows] == [4, 6, 7]
    assert checked.rows[0].ok and checked.rows[1].ok
    assert _messages(checked.rows[2]) == [
        "Unified social credit code: The same code is already on row 4 of the file."
    ]


def test_missing_columns_are_named(app):
    checked = check_table([["企业名称", "联系人"], ["甲", "王"]], 100)
    assert checked.rows == [] and "统一社会信用代码 (Unified social credit code)" in str(
        checked.problems[0].params
    )


def test_preview_lists_problems_and_saves_nothing_then_commit_imports(app):
    client, public_id = bureau_client(app), make_campaign(app)
    bad = xlsx([HEADER, row(1), row(2, uscc="91330282MA2C00021X"), row(3, town="浒山街")],
               title="2025 名单（合并的标题行）")  # fmt: skip
    response = upload(client, public_id, bad)
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    assert "尚未保存任何内容" in preview.text or "Nothing has been saved yet" in preview.text
    assert re.search(r'id="count-create">1<', preview.text)
    assert re.search(r'id="count-error">2<', preview.text)
    assert "浒山街道 (hushan)" in preview.text
    assert targets(app, public_id) == []
    refused = client.post(response.headers["Location"])
    assert refused.status_code == 200 and targets(app, public_id) == []
    good = xlsx([HEADER, row(1), row(2), row(3)], title="名单")
    preview, done = import_file(client, public_id, good)
    assert done.status_code == 302
    saved = targets(app, public_id)
    assert [t.uscc for t in saved] == sorted([code(1), code(2), code(3)])
    assert all(len(t.invite_code) == 12 for t in saved) and len({t.invite_code for t in saved}) == 3
    assert {t.town for t in saved} == {"zhouxiang"} and saved[0].size_class == "small"
    page = client.get(f"/bureau/campaigns/{public_id}")
    assert "慈溪市测试1号电器有限公司" in page.text and re.search(r'id="kpi-targets">3<', page.text)


def test_reimport_updates_by_code_and_keeps_the_codes(app):
    client, public_id = bureau_client(app), make_campaign(app)
    import_file(client, public_id, xlsx([HEADER, row(1), row(2), row(3)]))
    before = {t.uscc: t.invite_code for t in targets(app, public_id)}
    again = xlsx([HEADER, row(1), row(2, contact="李主任", email="li@example.com"), row(3), row(4)])
    preview, done = import_file(client, public_id, again)
    for name, number in (("create", 1), ("update", 1), ("unchanged", 2)):
        assert re.search(rf'id="count-{name}">{number}<', preview.text), name
    assert done.status_code == 302
    after = {t.uscc: t for t in targets(app, public_id)}
    assert len(after) == 4 and after[code(2)].contact_name == "李主任"
    assert all(after[c].invite_code == before[c] for c in before)


def test_conflict_with_a_registered_enterprise_is_shown_and_the_target_bound(app):
    owner = app.test_client()
    register(owner, uscc=code(7), name="慈溪市另一个名字有限公司")
    client, public_id = bureau_client(app), make_campaign(app)
    preview, done = import_file(client, public_id, xlsx([HEADER, row(7)]))
    assert "慈溪市另一个名字有限公司" in preview.text and done.status_code == 302
    with app_session(app) as s:
        enterprise_id = s.scalar(select(Enterprise.id).where(Enterprise.uscc == code(7)))
    assert targets(app, public_id)[0].enterprise_id == enterprise_id


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("list.xlsx", b"uscc,name\n913302,x\n", "not an Excel workbook"),
        ("list.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook"),
        ("list.csv", b"", "The file is empty"),
        ("list.xls", b"\xd0\xcf\x11\xe0 old excel", "old Excel format (.xls)"),
        ("list.pdf", b"%PDF-1.4", "Upload an Excel workbook (.xlsx) or a CSV file"),
        ("list.csv", "企业名称,联系人\n甲,王\n".encode(), "Required columns are missing"),
        ("list.csv", b"\x00\x01\x02binary", "not a CSV text file"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_kept(app, filename, data, message):
    client, public_id = bureau_client(app), make_campaign(app)
    client.post("/language", data={"lang": "en", "next": "/"})
    response = upload(client, public_id, data, filename)
    if response.status_code == 302:  # readable, but the preview names the file's problem
        response = client.get(response.headers["Location"])
    assert message in response.text
    assert targets(app, public_id) == []


def test_a_file_over_the_limit_is_refused_with_the_limit(make_app):
    app = make_app(CAMPAIGN_IMPORT_MAX_BYTES=100_000)
    client, public_id = bureau_client(app), make_campaign(app)
    client.post("/language", data={"lang": "en", "next": "/"})
    huge = upload(client, public_id, b"x" * 400_000, "big.csv")
    assert huge.status_code == 413 and "larger than 98 KB" in huge.text
    near = upload(client, public_id, b"y" * 120_000, "big.csv")
    assert near.status_code == 200 and "files up to 98 KB can be imported" in near.text
    assert targets(app, public_id) == []


def test_csv_from_chinese_excel_is_read(app):
    client, public_id = bureau_client(app), make_campaign(app)
    _preview, done = import_file(client, public_id,
                                 csv_bytes([HEADER, row(1), row(2)], "gb18030"), "list.csv")  # fmt: skip
    assert done.status_code == 302 and len(targets(app, public_id)) == 2


def test_the_commit_is_all_or_nothing(app):
    """The database refuses the third row half-way through (a real trigger): no row is kept."""
    client, public_id = bureau_client(app), make_campaign(app)
    with app_session(app) as s:
        if s.bind.dialect.name == "sqlite":
            s.execute(text(f"CREATE TRIGGER refuse BEFORE INSERT ON campaign_target WHEN "
                           f"NEW.uscc = '{code(3)}' BEGIN SELECT RAISE(ABORT, 'refused'); END"))  # fmt: skip
        else:
            s.execute(text(f"CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.uscc = "
                           f"'{code(3)}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END "
                           "$$ LANGUAGE plpgsql"))  # fmt: skip
            s.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON campaign_target FOR EACH ROW "
                           "EXECUTE FUNCTION refuse()"))  # fmt: skip
        s.commit()
    client.post("/language", data={"lang": "en", "next": "/"})
    rows = [HEADER] + [row(n) for n in range(1, 6)]
    app.config["JOB_MAX_ATTEMPTS"] = 1  # the job's only attempt meets the trigger
    try:
        _preview, done = import_file(client, public_id, xlsx(rows))
        status = client.get(done.headers["Location"]).text
        assert "The import failed and nothing was saved" in status
        assert "The database refused the import" in status
        assert targets(app, public_id) == []
    finally:
        with app_session(app) as s:
            postgres = s.bind.dialect.name == "postgresql"
            s.execute(text("DROP TRIGGER refuse" + (" ON campaign_target" if postgres else "")))
            if postgres:
                s.execute(text("DROP FUNCTION refuse()"))
            s.commit()


def test_the_commit_reads_the_file_kept_on_the_server_only(app, job_worker):
    client, public_id = bureau_client(app), make_campaign(app)
    other = bureau_client(app, "other@jxj.example")
    response = upload(client, public_id, xlsx([HEADER, row(1)]))
    url = response.headers["Location"]
    assert other.post(url).status_code == 302 and targets(app, public_id) == []  # not theirs
    forged = url.rsplit("/", 1)[0] + "/" + "A" * 22
    assert client.post(forged).status_code == 302 and targets(app, public_id) == []
    committed = client.post(url)
    assert committed.status_code == 302 and "/bureau/jobs/" in committed.headers["Location"]
    job_worker.wait(committed.headers["Location"].rsplit("/", 1)[1])
    assert len(targets(app, public_id)) == 1
    assert "/bureau/jobs/" not in client.post(url).headers["Location"]  # used once: it is gone
    assert len(targets(app, public_id)) == 1


def test_the_template_can_be_filled_in_and_imported(app):
    client, public_id = bureau_client(app), make_campaign(app)
    template = client.get("/bureau/campaigns/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]][:4] == ["统一社会信用代码", "企业名称", "镇街", "行业"]
    assert "Unified social credit code" in sheet["A2"].comment.text
    sheet.append([code(9), "慈溪模板企业有限公司", "观海卫镇", "轴承及机械基础件", "小型"])
    buffer = io.BytesIO()
    book.save(buffer)
    _preview, done = import_file(client, public_id, buffer.getvalue())
    saved = targets(app, public_id)
    assert done.status_code == 302 and saved[0].town == "guanhaiwei"
    assert saved[0].industry == "bearings" and saved[0].size_class == "small"


def test_an_all_digit_code_excel_turned_into_a_number_is_refused_with_the_reason(app):
    """Excel keeps 15 digits: the 18-digit code comes back as 9.1330282E+17, its end lost."""
    digits = next(c for n in range(10000) if (c := make_uscc("330282", f"{n:08d}")).isdigit())
    client, public_id = bureau_client(app), make_campaign(app)
    client.post("/language", data={"lang": "en", "next": "/"})
    response = upload(
        client, public_id, xlsx([HEADER, row(1, uscc=int(digits), phone=13812345678)])
    )
    preview = client.get(response.headers["Location"])
    assert "Excel stored this code as a number (9.133028E+17)" in preview.text
    assert "Format the column as Text" in preview.text and targets(app, public_id) == []


def test_the_upload_checks_its_csrf_token_itself(make_app):
    """The upload is exempt from the app-wide check (its body may pass the app-wide size limit),
    so its form checks the token: without it nothing is kept; with it the preview opens."""
    app = make_app(WTF_CSRF_ENABLED=True)
    public_id = make_campaign(app)
    with app_session(app) as s:
        s.add(User(email="csrf@jxj.example", password_hash=hash_password(PASSWORD), role="bureau"))
        s.commit()
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").text)
    client.post("/auth/login", data={"email": "csrf@jxj.example", "password": PASSWORD,
                                     "csrf_token": token})  # fmt: skip
    forged = upload(client, public_id, xlsx([HEADER, row(1)]))
    assert forged.status_code == 200 and "/import/" not in forged.headers.get("Location", "")
    page = client.get(f"/bureau/campaigns/{public_id}/import")
    data = {"file": (io.BytesIO(xlsx([HEADER, row(1)])), "list.xlsx"),
            "csrf_token": csrf_from(page.text)}  # fmt: skip
    ok = client.post(f"/bureau/campaigns/{public_id}/import", data=data,
                     content_type="multipart/form-data")  # fmt: skip
    assert ok.status_code == 302 and "/import/" in ok.headers["Location"]
