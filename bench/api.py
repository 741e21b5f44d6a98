"""The API beside the pages it stands for (issue 16), in-process (test client, warm), at one scale:
submit beside the page's submit, the result beside the result page, the enterprise list's first
page and a deep keyset-cursor page beside the bureau's HTML list (its first page and the page at the
same depth, which counts and skips every row before it).
"""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from assessment.services import api_tokens, enterprise_list
from assessment.services.demo import DEMO_BUREAU_EMAIL, DEMO_ENTERPRISE_EMAIL
from assessment.services.list_cursor import Cursor
from assessment.services.models import User
from assessment.web.api.bureau import cursor_key
from assessment.web.bureau.forms import filter_form
from assessment.web.extensions import db

from .common import Timing, timed
from .report import Row, timing_row
from .server import _expect, _Submits, demo_paths, logged_in

LIST_TARGET_MS = 100  # issue 16: the list endpoint at 100k enterprises
PER_PAGE = 50
DEPTH = 0.9  # the deep page starts this far into the list


def _tokens(app) -> tuple[dict, dict]:
    """Bearer headers for the demo enterprise (own scopes) and the demo analyst (bureau)."""
    with app.app_context():
        out = []
        for email, scopes in ((DEMO_ENTERPRISE_EMAIL, api_tokens.OWN_SCOPES),
                              (DEMO_BUREAU_EMAIL, api_tokens.BUREAU_SCOPES)):  # fmt: skip
            user = db.session.scalar(select(User).where(User.email == email))
            secret = api_tokens.create(db.session, user, "bench", list(scopes), 1).secret
            out.append({"Authorization": f"Bearer {secret}"})
        return out[0], out[1]


def _deep(app) -> tuple[str, int]:
    """A keyset cursor DEPTH into the default list (by total, highest first) and the HTML list's
    page number at the same depth."""
    with app.test_request_context("/bureau/enterprises"):
        filters, _ignored = filter_form(MultiDict(), None).resolve()
        total = enterprise_list.count(db.session, filters, None)
        offset = int(total * DEPTH)
        row = enterprise_list.page(db.session, filters, None, "total", True, 1, offset)[0]
        cursor = Cursor("total", True, row.total, row.assessment_id).encode(cursor_key())
        return cursor, offset // PER_PAGE + 1


def measure(app, runs: int = 30, max_seconds: float = 4.0) -> dict[str, Timing]:
    """Timings keyed by the row's name; the page rows they stand beside are measured again here,
    in the same minute, so the pairs compare like with like."""
    paths = demo_paths(app)
    enterprise, bureau = logged_in(app, DEMO_ENTERPRISE_EMAIL), logged_in(app, DEMO_BUREAU_EMAIL)
    own, staff = _tokens(app)
    api = app.test_client()
    cursor, page = _deep(app)
    bounded = {"max_seconds": max_seconds}
    submits = _Submits(app, paths.enterprise_id)
    few = max(5, runs // 2)
    calls = {
        "submit (page)": (lambda: _expect(enterprise.post(f"/a/{submits.public_id}/review"), 302),
                          few, submits.new_draft),
        "submit (API)": (lambda: _expect(api.post(f"/api/v1/assessments/{submits.public_id}/submit",
                                                  headers=own), 201), few, submits.new_draft),
        "result page": (lambda: _expect(enterprise.get(paths.result_page), 200), runs, None),
        "result (API)": (lambda: _expect(api.get(f"/api/v1/assessments/{paths.result_id}/result",
                                                 headers=own), 200), runs, None),
        "enterprise list (page 1)": (lambda: _expect(bureau.get("/bureau/enterprises"), 200),
                                     runs, None),
        f"enterprise list (page {page:,}, {DEPTH:.0%} deep)": (
            lambda: _expect(bureau.get(f"/bureau/enterprises?page={page}"), 200), runs, None),
        "enterprise list API (first page)": (
            lambda: _expect(api.get(f"/api/v1/bureau/enterprises?limit={PER_PAGE}",
                                    headers=staff), 200), runs, None),
        f"enterprise list API (cursor {DEPTH:.0%} deep)": (
            lambda: _expect(api.get(f"/api/v1/bureau/enterprises?limit={PER_PAGE}&cursor={cursor}",
                                    headers=staff), 200), runs, None),
    }  # fmt: skip
    return {
        name: timed(name, fn, count, 1 if setup else 3, setup=setup, **bounded)
        for name, (fn, count, setup) in calls.items()
    }


def bench_rows(app, where: str, at_scale: bool) -> list[Row]:
    """Section 9 rows at one scale and database; the API list rows carry the 100 ms target at
    the 100k scale."""
    rows = []
    for name, timing in measure(app).items():
        target = LIST_TARGET_MS if at_scale and name.startswith("enterprise list API") else None
        rows.append(timing_row("9 API", name, where, timing, target))
    return rows
