"""The bureau's exports through the API (`bureau:export`): CSV and XLSX within the caller's scope
(a town officer: its towns only, and the file says so), and batch PDF reports as a job to start,
poll and download."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.test_api import PROBLEM, bearer
from tests.test_api_bureau import _city, _token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheets(data: bytes) -> tuple[list, list]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    enterprises, cohorts = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    return enterprises, cohorts


def test_xlsx_and_csv_within_the_officers_towns(app):
    ids = _city(app)
    api = app.test_client()
    bureau, officer = _token(app, "bureau@jxj.example"), _token(app, "officer@jxj.example")
    query = {"q": "lianghua@2025.1"}
    everything = api.get("/api/v1/bureau/export.xlsx", query_string=query, headers=bearer(bureau))
    assert everything.status_code == 200 and everything.mimetype == XLSX
    rows, _cohorts = _sheets(everything.data)
    assert len(rows) == 1 + len(ids)  # the header and every enterprise
    mine = api.get("/api/v1/bureau/export.xlsx", query_string=query, headers=bearer(officer))
    rows, cohorts = _sheets(mine.data)
    towns = {row[2] for row in rows[1:]}
    assert len(rows) == 3 and len(towns) == 1, towns  # the two zhouxiang enterprises only
    assert "towns" in str(cohorts[-1][0]) or "镇街" in str(cohorts[-1][0])  # says whose
    csv = api.get("/api/v1/bureau/export.csv", query_string=query, headers=bearer(officer, "en"))
    lines = csv.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4 and "towns:" in lines[-1]  # header, two rows, the scope line
    whole = api.get("/api/v1/bureau/export.csv", query_string=query, headers=bearer(bureau))
    assert whole.data.decode("utf-8-sig").strip().count("\n") == len(ids)  # no scope line
    reader = _token(app, "bureau@jxj.example", scopes=("bureau:read",))
    refused = api.get("/api/v1/bureau/export.xlsx", headers=bearer(reader))
    assert refused.status_code == 403 and refused.content_type == PROBLEM
