"""Bureau exports: CSV (UTF-8 with BOM, for Excel) and XLSX. No Flask.

Text cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) get a
leading apostrophe, so a hostile enterprise name cannot execute in the analyst's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from openpyxl import Workbook

from assessment.core.enterprise import industry_label, size_label, town_label
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.text import N_
from assessment.services.bureau_stats import Dashboard, GroupRow
from assessment.services.enterprise_list import Row

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_TEXTS = {
    "uscc": N_("Unified social credit code"), "name": N_("Enterprise name"),
    "town": N_("Town / subdistrict"), "industry": N_("Industry"), "size": N_("Size"),
    "assessment": N_("Assessment id"), "date": N_("Submitted"), "total": N_("Total score"),
    "stage": N_("Stage / tier"), "sheet_enterprises": N_("Enterprise list"),
    "sheet_cohorts": N_("Cohort tables"), "participants": N_("Participating enterprises"),
    "mean": N_("Mean"), "median": N_("Median"), "by_industry": N_("By industry"),
    "by_town": N_("By town / subdistrict"), "by_size": N_("By size"),
}  # fmt: skip


def export_texts(gettext) -> dict[str, str]:
    """Column and sheet titles translated with the caller's `gettext`."""
    return {key: gettext(message) for key, message in EXPORT_TEXTS.items()}


def neutralise(value: Any) -> Any:
    """A cell value safe from formula injection (numbers and dates pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header(questionnaire: Questionnaire, lang: str, texts: dict[str, str]) -> list[str]:
    """Column titles: the fixed columns (translated by the caller) and one per dimension."""
    fixed = [texts[k] for k in ("uscc", "name", "town", "industry", "size", "assessment", "date",
                                "total", "stage")]  # fmt: skip
    return fixed + [d.title.get(lang) for d in questionnaire.dimensions]


def row_values(row: Row, questionnaire: Questionnaire, lang: str) -> list[Any]:
    """One enterprise's export row."""
    e = row.enterprise
    level = questionnaire.level(row.stage)
    values = [
        e.uscc, e.name, town_label(e.town, lang), industry_label(e.industry, lang),
        size_label(e.size_class, lang), row.assessment_public_id,
        row.submitted_at.strftime("%Y-%m-%d") if row.submitted_at else "",
        round(row.total, 2) if row.total is not None else None,
        level.label.get(lang) if level else row.stage,
    ]  # fmt: skip
    values += [row.dimensions.get(d.id) for d in questionnaire.dimensions]
    return [neutralise(v) for v in values]


def csv_chunks(rows: Iterable[Row], questionnaire: Questionnaire, lang: str,
               texts: dict[str, str]) -> Iterator[bytes]:  # fmt: skip
    """The CSV as UTF-8 byte chunks, BOM first (so Excel reads Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def drain() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(header(questionnaire, lang, texts))
    yield "\ufeff".encode() + drain()
    for n, row in enumerate(rows, 1):
        writer.writerow(row_values(row, questionnaire, lang))
        if n % 500 == 0:
            yield drain()
    yield drain()


def _group_rows(title: str, groups: list[GroupRow], label, questionnaire: Questionnaire, lang: str):
    levels = questionnaire.levels
    yield [title]
    yield ["", "n", "mean", "median", *[lv.label.get(lang) for lv in levels]]
    for g in groups:
        yield [neutralise(label(g.key, lang)), g.n,
               round(g.mean, 2) if g.mean is not None else None,
               round(g.median, 2) if g.median is not None else None,
               *[round(g.stage_shares.get(lv.id, 0.0), 4) for lv in levels]]  # fmt: skip
    yield []


def write_xlsx(out: BinaryIO, rows: Iterable[Row], questionnaire: Questionnaire, lang: str,
               texts: dict[str, str], dashboard: Dashboard | None) -> None:  # fmt: skip
    """An XLSX workbook: a sheet of enterprises with their latest scores and a sheet of cohort
    tables (by industry, town, size), written in streaming mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(texts["sheet_enterprises"])
    sheet.append(header(questionnaire, lang, texts))
    for row in rows:
        sheet.append(row_values(row, questionnaire, lang))
    cohorts = book.create_sheet(texts["sheet_cohorts"])
    if dashboard is not None:
        cohorts.append([texts["participants"], dashboard.participants])
        cohorts.append([texts["mean"], round(dashboard.mean, 2) if dashboard.mean else None])
        cohorts.append([texts["median"], round(dashboard.median, 2) if dashboard.median else None])
        cohorts.append([])
        for title, groups, label in (
            (texts["by_industry"], dashboard.by_industry, industry_label),
            (texts["by_town"], dashboard.by_town, town_label),
            (texts["by_size"], dashboard.by_size, size_label),
        ):
            for line in _group_rows(title, groups, label, questionnaire, lang):
                cohorts.append(line)
    book.save(out)
