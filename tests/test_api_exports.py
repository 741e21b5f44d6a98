"""The bureau's exports through the API (`bureau:export`): CSV and XLSX within the caller's scope
(a town officer: its towns only, and the file says so), and batch PDF reports as a job to start,
poll and download."""

from __future__ import annotations

import io
import zipfile

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


def test_batch_reports_job_within_the_officers_towns(app, job_worker):
    _city(app)
    api = app.test_client()
    officer, bureau = _token(app, "officer@jxj.example"), _token(app, "bureau@jxj.example")
    started = api.post("/api/v1/bureau/reports", json={"q": "lianghua@2025.1", "lang": "en"},
                       headers=bearer(officer))  # fmt: skip
    assert started.status_code == 202, started.json
    job = started.json
    assert started.headers["Location"].endswith(f"/bureau/jobs/{job['id']}")
    assert job["total"] == 2 and job["download"] is None  # the two zhouxiang enterprises
    job_worker.wait(job["id"])
    polled = api.get(f"/api/v1/bureau/jobs/{job['id']}", headers=bearer(officer)).json
    assert polled["status"] == "done" and polled["done"] == 2, polled
    archive = api.get(polled["download"], headers=bearer(officer))
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as found:
        assert len(found.namelist()) == 2
    # Another user's job is not there for the bureau's token; a read-only token cannot start.
    assert api.get(f"/api/v1/bureau/jobs/{job['id']}", headers=bearer(bureau)).status_code == 404
    reader = _token(app, "bureau@jxj.example", scopes=("bureau:read",))
    refused = api.post("/api/v1/bureau/reports", json={}, headers=bearer(reader))
    assert refused.status_code == 403


def test_batch_reports_not_ready_and_empty_filter(app):
    _city(app)
    api, bureau = app.test_client(), _token(app, "bureau@jxj.example")
    started = api.post("/api/v1/bureau/reports", json={"q": "lianghua@2025.1"},
                       headers=bearer(bureau)).json  # fmt: skip
    early = api.get(f"/api/v1/bureau/jobs/{started['id']}/reports.zip", headers=bearer(bureau))
    assert early.status_code == 409 and early.content_type == PROBLEM  # no worker: still queued
    empty = api.post("/api/v1/bureau/reports", json={"q": "cloud"}, headers=bearer(bureau, "en"))
    assert empty.status_code == 422 and "nothing to export" in empty.json["detail"]
