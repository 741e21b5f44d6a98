"""Keyset pagination of the enterprise list (services/list_cursor.py, enterprise_list.page_after)
and the API's cursor: every sort, both directions, ties and rows without a value; rows submitted
between pages; cut, edited and foreign cursors refused with a translated 400."""

from __future__ import annotations

import base64
import json

import pytest

from assessment.services import enterprise_list, list_cursor
from assessment.services.bureau_filters import Filters
from tests import factories as f
from tests.conftest import app_session
from tests.test_api import PROBLEM, bearer
from tests.test_api_bureau import _city, _token

FILTERS = Filters("lianghua", "2025.1")
KEY = b"test-key"
# (town, industry, size, total, stage, dims, name): ties in every column, some rows without a
# "integration" dimension score (NULL in that sort), equal names.
ROWS = [
    ("zhouxiang", "appliances", "small", 50, "starting", {"foundation": 10}, "甲"),
    ("zhouxiang", "appliances", "micro", 50, "single_coverage", {"foundation": 10, "integration": 5}, "乙"),
    ("hushan", "textiles", "small", 50, "starting", {"foundation": 20}, "甲"),
    ("hushan", "appliances", "medium", 30, "starting", {"foundation": 20, "integration": 5}, "丙"),
    ("kandun", "textiles", "small", 70, "innovation", {"foundation": 30, "integration": 9}, "丁"),
    ("kandun", "appliances", "small", 70, "innovation", {"foundation": 30}, "戊"),
    ("zhouxiang", "textiles", "micro", 10, "starting", {"foundation": 1, "integration": 1}, "乙"),
]  # fmt: skip


def _seed(session) -> None:
    for n, (town, industry, size, total, stage, dims, name) in enumerate(ROWS):
        ent = f.enterprise(session, town=town, industry=industry, size_class=size, name=name)
        f.submitted(session, ent, total, dims, days_ago=5 + n % 3, stage=stage)
    session.commit()


def _walk(session, sort: str, descending: bool, limit: int, between=None) -> list[int]:
    """Every assessment id, page by page, each cursor passed through its opaque form."""
    seen, cursor = [], None
    while True:
        found = enterprise_list.page_after(session, FILTERS, None, sort, descending, limit, cursor)
        seen += [row.assessment_id for row in found.rows]
        if found.next_cursor is None:
            return seen
        cursor = list_cursor.decode(found.next_cursor.encode(KEY), sort, descending, KEY)
        if between is not None:
            between(session)
            between = None


def test_walking_by_cursor_gives_every_row_once_in_order_for_every_sort(app, session, registry):
    _seed(session)
    sorts = enterprise_list.sort_keys(registry.get("lianghua", "2025.1"))
    assert "dim:integration" in sorts
    for sort in sorts:
        for descending in (True, False):
            expected = [row.assessment_id for row in
                        enterprise_list.page(session, FILTERS, None, sort, descending, 100, 0)]  # fmt: skip
            assert len(expected) == len(ROWS)
            for limit in (1, 2, 3):
                assert _walk(session, sort, descending, limit) == expected, (sort, descending)


def test_rows_submitted_between_pages_never_repeat_a_row(app, session):
    _seed(session)

    def submit_two(s):
        # One that sorts before the cursor (offsets would shift and repeat a row), one after it.
        f.submitted(s, f.enterprise(s, name="新甲"), 99, {"foundation": 1})
        f.submitted(s, f.enterprise(s, name="新乙"), 5, {"foundation": 1})
        s.commit()

    walked = _walk(session, "total", True, 2, between=submit_two)
    assert len(walked) == len(set(walked)) == len(ROWS) + 1  # the late low one is seen
    totals = [r.total for r in enterprise_list.page(session, FILTERS, None, "total", True, 100, 0)]
    assert totals[0] == 99 and totals[-1] == 5


@pytest.mark.parametrize(
    "data",
    [
        {"s": "total", "d": 1, "v": "x", "i": 3},  # a value of the wrong kind
        {"s": "total", "d": 1, "v": 50, "i": -1},  # an id no row has
        {"s": "total", "d": 1, "v": 50},  # cut
        {"s": "name", "d": 1, "v": "甲", "i": 3},  # another sort's cursor
        {"s": "total", "d": 0, "v": 50, "i": 3},  # the other direction's
        {"s": "date", "d": 1, "v": "yesterday", "i": 3},
        [1, 2],
    ],
)
def test_cursors_of_the_wrong_shape_are_refused_even_when_signed(data):
    raw = json.dumps(data).encode()
    text = list_cursor._b64(raw) + "." + list_cursor._b64(list_cursor._mac(KEY, raw))
    sort = "date" if isinstance(data, dict) and data.get("s") == "date" else "total"
    with pytest.raises(list_cursor.CursorError):
        list_cursor.decode(text, sort, True, KEY)


def test_an_edited_or_foreign_signed_cursor_is_refused():
    good = list_cursor.Cursor("total", True, 50.0, 7)
    text = good.encode(KEY)
    assert list_cursor.decode(text, "total", True, KEY) == good
    data, mac = text.split(".")
    edited = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))) | {"i": 8}
    forged = list_cursor._b64(json.dumps(edited).encode()) + "." + mac
    for bad in (forged, good.encode(b"another-key"), data):
        with pytest.raises(list_cursor.CursorError):
            list_cursor.decode(bad, "total", True, KEY)


def test_api_walks_every_sort_and_refuses_bad_cursors_with_400(app):
    _city(app)
    with app_session(app) as s:
        _seed(s)
    api, token = app.test_client(), _token(app, "bureau@jxj.example")
    url = "/api/v1/bureau/enterprises"
    for sort, direction in (("name", "asc"), ("dim:integration", "desc"), ("date", "asc")):
        ids, cursor = [], None
        while True:
            query = {"q": "lianghua@2025.1", "limit": 2, "sort": sort, "dir": direction}
            page = api.get(url, query_string=query | ({"cursor": cursor} if cursor else {}),
                           headers=bearer(token))  # fmt: skip
            assert page.status_code == 200, page.json
            ids += [item["assessment"] for item in page.json["items"]]
            if (cursor := page.json["next_cursor"]) is None:
                break
        assert len(ids) == len(set(ids)) == len(ROWS) + 3, sort
    first = api.get(url, query_string={"limit": 1}, headers=bearer(token)).json["next_cursor"]
    for bad, query in (("nope", {}), (first[:-3], {}), (first, {"sort": "name"}),
                       (first, {"dir": "asc"})):  # fmt: skip
        refused = api.get(url, query_string={"cursor": bad, **query}, headers=bearer(token, "en"))
        assert refused.status_code == 400 and refused.content_type == PROBLEM, bad
        assert refused.json["errors"]["cursor"] == [
            "This cursor is not valid for this list; start again without one."
        ]
    zh = api.get(url, query_string={"cursor": "nope"}, headers=bearer(token))
    assert zh.status_code == 400 and zh.json["detail"] != refused.json["detail"]  # translated
    unknown = api.get(url, query_string={"sort": "dim:nope"}, headers=bearer(token))
    assert unknown.status_code == 422 and "sort" in unknown.json["errors"]
