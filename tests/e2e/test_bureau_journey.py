"""The economic bureau in a real browser: demo data seeded through the CLI → sign in → dashboard →
industry filter → enterprise list sorted by a column → one enterprise → CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assessment.services.models import Assessment, Enterprise
from tests.conftest import app_session

from .conftest import (
    DEMO_BUREAU,
    DEMO_PASSWORD,
    assert_no_connection_left,
    click_and_wait,
    sign_in,
)

pytestmark = pytest.mark.browser


def _participants_by_industry(app) -> dict[str, int]:
    """Enterprises with a submitted 两化融合 assessment, per industry (straight from the database)."""
    with app_session(app) as s:
        rows = s.execute(
            select(Enterprise.industry, func.count(func.distinct(Enterprise.id)))
            .join(Assessment, Assessment.enterprise_id == Enterprise.id)
            .where(Assessment.status == "submitted", Assessment.questionnaire_id == "lianghua")
            .group_by(Enterprise.industry)
        ).all()
    return dict(rows)


def _number(text: str) -> float | None:
    text = text.strip()
    return None if text in ("", "—") else float(text)


def test_bureau_filters_the_dashboard_sorts_the_list_and_exports_csv(open_site, artifacts):
    site = open_site(demo=60, seed=5)
    printed = re.search(r"Demo bureau login:\s+(\S+) / (\S+)", site.cli_output)
    assert printed, site.cli_output
    email, password = printed.groups()
    assert (email, password) == (DEMO_BUREAU, DEMO_PASSWORD)
    page = site.page
    by_industry = _participants_by_industry(site.app)
    industry, expected = max(by_industry.items(), key=lambda item: (item[1], item[0]))

    sign_in(site, email, password)
    page.goto("/bureau/")
    assert page.locator("header nav a[href='/bureau/']").count() == 1

    # KPIs and charts.
    total = int(page.inner_text("#kpi-participants"))
    assert total == sum(by_industry.values())
    assert int(page.inner_text("#kpi-submissions")) >= total
    for kpi in ("#kpi-mean", "#kpi-median"):
        assert 0 <= float(page.inner_text(kpi)) <= 100
    charts = page.locator("main figure.chart-figure svg[role=img]")
    assert charts.count() >= 2
    for n in range(charts.count()):
        assert charts.nth(n).is_visible() and charts.nth(n).get_attribute("aria-label")
    site.shot("bureau-01-dashboard")

    # Filter by industry through the form.
    page.select_option("form.filter-bar #industry", industry)
    click_and_wait(page, "form.filter-bar button[type=submit]")
    assert f"industry={industry}" in site.path()
    assert page.locator("form.filter-bar #industry").input_value() == industry
    assert int(page.inner_text("#kpi-participants")) == expected
    site.shot("bureau-02-dashboard-filtered")

    # The enterprise list keeps the filter; sort it by the first dimension.
    click_and_wait(page, "main .action-row a[href^='/bureau/enterprises']")
    assert site.path().startswith("/bureau/enterprises") and f"industry={industry}" in site.path()
    rows = page.locator("table.enterprise-table tbody tr")
    assert 0 < rows.count() <= expected
    header = page.locator("table.enterprise-table thead th a[href*='sort=dim']").first
    column = page.eval_on_selector_all(
        "table.enterprise-table thead th",
        "ths => ths.findIndex(th => th.querySelector('a[href*=\"sort=dim\"]'))",
    )
    click_and_wait(page, header)
    assert "sort=dim" in site.path() and f"industry={industry}" in site.path()
    sorted_header = page.locator("table.enterprise-table thead th[aria-sort]")
    assert sorted_header.count() == 1
    assert sorted_header.get_attribute("aria-sort") == "descending"
    assert (
        page.eval_on_selector_all(
            "table.enterprise-table thead th",
            "ths => ths.findIndex(th => th.hasAttribute('aria-sort'))",
        )
        == column
    )
    cells = page.locator(f"table.enterprise-table tbody tr td:nth-child({column + 1})")
    values = [v for v in map(_number, cells.all_inner_texts()) if v is not None]
    assert values and values == sorted(values, reverse=True), values
    site.shot("bureau-03-enterprises-sorted")

    # One enterprise.
    first = page.locator("table.enterprise-table tbody tr td:first-child a").first
    name = first.inner_text().strip()
    click_and_wait(page, first)
    assert site.path().startswith("/bureau/enterprises/")
    assert page.inner_text("main h1").strip() == name
    site.shot("bureau-04-enterprise")
    page.go_back()

    assert_no_connection_left(site, "the bureau pages")

    # CSV export of the filtered list: UTF-8 with BOM, a header, one row per enterprise.
    export = page.locator("main .action-row a[href^='/bureau/export.csv']")
    assert f"industry={industry}" in export.get_attribute("href")
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf"), body[:20]
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:2] == ["统一社会信用代码", "企业名称"], table[0]
    assert len(table) - 1 == expected
    assert name in {row[1] for row in table[1:]}
    download.save_as(artifacts / "bureau-export.csv")

    assert not site.console_errors, site.console_errors


def test_csv_export_gives_its_database_connection_back(open_site):
    """The export streams its rows; the session it reads them with must be closed at the end."""
    site = open_site(demo=8)
    page = site.page
    sign_in(site, DEMO_BUREAU, DEMO_PASSWORD)
    page.goto("/bureau/")
    assert_no_connection_left(site, "the dashboard")
    with page.expect_download() as info:
        page.locator("main .action-row a[href^='/bureau/export.csv']").click()
    assert Path(info.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")
    assert_no_connection_left(site, "the CSV export")
