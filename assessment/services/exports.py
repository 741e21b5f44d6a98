"""Bureau exports: CSV (UTF-8 with BOM, for Excel) and XLSX. No Flask.

A points questionnaire (MIIT) exports what its result is made of instead of percentages: S and the
sub-scores in points (exact), the level, each scenario's level and the scenario counts, all
re-computed from the stored answers by the scoring engine, and the questionnaire's provenance note
(the last CSV line; the first row of the XLSX cohort sheet). Other questionnaires export as before.

Rows pool the versions the filters pool (comparable versions: same dimensions, same scoring); each
row names the version it answered. A pooled row is re-scored with the selected version, which gives
what its own version gives: comparable versions score the same answers alike (checked on load).

Text cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) get a
leading apostrophe, so a hostile enterprise name cannot execute in the analyst's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from openpyxl import Workbook

from assessment.core.enterprise import industry_label, size_label, town_label
from assessment.core.levels import ScenarioCount, plain
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.scoring import Result, score
from assessment.core.text import N_
from assessment.services.bureau_filters import Filters
from assessment.services.bureau_stats import Dashboard, GroupRow, target_levels
from assessment.services.enterprise_list import Row, scored_dimensions

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_TEXTS = {
    "uscc": N_("Unified social credit code"), "name": N_("Enterprise name"),
    "town": N_("Town / subdistrict"), "industry": N_("Industry"), "size": N_("Size"),
    "assessment": N_("Assessment id"), "date": N_("Submitted"),
    "version": N_("Questionnaire version"), "total": N_("Total score"),
    "stage": N_("Stage / tier"), "sheet_enterprises": N_("Enterprise list"),
    "sheet_cohorts": N_("Cohort tables"), "participants": N_("Participating enterprises"),
    "mean": N_("Mean"), "median": N_("Median"), "by_industry": N_("By industry"),
    "by_town": N_("By town / subdistrict"), "by_size": N_("By size"),
    # Points questionnaires (MIIT); the %(…)s ones are filled in by the header.
    "points_total": N_("Total points (S)"), "level": N_("Level"),
    "subscore": N_("%(dimension)s points (of %(max)s)"),
    "scenarios_at": N_("Scenarios at level %(level)s or above"),
    "constrained_at": N_("Of them constrained (level %(level)s or above)"),
    "at_or_above": N_("%(level)s or above"),
}  # fmt: skip
SCENARIO_LEVELS = (1, 2, 3, 4)  # the scenario counts exported: at L1+, L2+, L3+, L4+


def export_texts(gettext) -> dict[str, str]:
    """Column and sheet titles translated with the caller's `gettext`."""
    return {key: gettext(message) for key, message in EXPORT_TEXTS.items()}


def shown(filters: Filters, lang: str, gettext) -> str:
    """Which submissions (and, for a town officer, which towns) an export counts, in `lang`."""
    which = N_("Approved submissions only") if filters.approved_only else N_("All submissions")
    if filters.towns is None:
        return gettext(which)
    names = "、".join(town_label(code, lang) for code in sorted(filters.towns))
    return gettext(N_("%(shown)s · towns: %(towns)s")) % {"shown": gettext(which), "towns": names}


def neutralise(value: Any) -> Any:
    """A cell value safe from formula injection (numbers and dates pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rescored(questionnaire: Questionnaire) -> bool:
    """True when the export re-scores each row's stored answers (points questionnaires: MIIT),
    so the rows must carry them (`enterprise_list.iter_all(..., answers=True)`)."""
    return questionnaire.scoring == "points"


IDENTITY = ("uscc", "name", "town", "industry", "size", "assessment", "date", "version")


def header(questionnaire: Questionnaire, lang: str, texts: dict[str, str]) -> list[str]:
    """Column titles: the fixed columns (translated by the caller) and one per dimension; for a
    points questionnaire S, the sub-scores, the level, the scenarios and the scenario counts."""
    if rescored(questionnaire):
        return _points_header(questionnaire, lang, texts)
    fixed = [texts[k] for k in (*IDENTITY, "total", "stage")]
    return fixed + [d.title.get(lang) for d in questionnaire.dimensions]


def _points_header(questionnaire: Questionnaire, lang: str, texts: dict[str, str]) -> list[str]:
    titles = [texts[k] for k in (*IDENTITY, "points_total")]
    titles += [texts["subscore"] % {"dimension": d.title.get(lang), "max": plain(d.max_points)}
               for d in scored_dimensions(questionnaire)]  # fmt: skip
    titles.append(texts["level"])
    titles += [q.text.get(lang) for q in questionnaire.scenarios]
    for level in SCENARIO_LEVELS:
        titles += [texts["scenarios_at"] % {"level": level},
                   texts["constrained_at"] % {"level": level}]  # fmt: skip
    return titles


def _identity(row: Row, lang: str) -> list[Any]:
    e = row.enterprise
    return [
        e.uscc, e.name, town_label(e.town, lang), industry_label(e.industry, lang),
        size_label(e.size_class, lang), row.assessment_public_id,
        row.submitted_at.strftime("%Y-%m-%d") if row.submitted_at else "", row.version,
    ]  # fmt: skip


def row_values(row: Row, questionnaire: Questionnaire, lang: str) -> list[Any]:
    """One enterprise's export row."""
    if rescored(questionnaire):
        values = _identity(row, lang) + points_values(score(questionnaire, row.answers or {}),
                                                      questionnaire, lang)  # fmt: skip
        return [neutralise(v) for v in values]
    level = questionnaire.level(row.stage)
    values = _identity(row, lang) + [
        round(row.total, 2) if row.total is not None else None,
        level.label.get(lang) if level else row.stage,
    ]  # fmt: skip
    values += [row.dimensions.get(d.id) for d in questionnaire.dimensions]
    return [neutralise(v) for v in values]


def _exact(value: Decimal) -> Decimal:
    """An exact figure without trailing zeros (35.575, 40): a CSV writes it as such, a workbook
    stores it as a number."""
    return Decimal(plain(value))


def points_values(result: Result, questionnaire: Questionnaire, lang: str) -> list[Any]:
    """S, the sub-scores (points), the level, each scenario's level and the scenario counts (at
    each level or above, then how many of those are 约束性) of one scored result."""
    level = questionnaire.level(result.stage)
    values: list[Any] = [_exact(result.exact_total)]
    values += [_exact(Decimal(repr(result.dimensions[d.id].points)))
               for d in scored_dimensions(questionnaire)]  # fmt: skip
    values.append(level.label.get(lang) if level else result.stage)
    values += [result.scenarios.get(q.id, 0) for q in questionnaire.scenarios]
    for at in SCENARIO_LEVELS:
        values += ScenarioCount(0, at, 0).met_by(questionnaire, result.scenarios)
    return values


def csv_chunks(rows: Iterable[Row], questionnaire: Questionnaire, lang: str,
               texts: dict[str, str], shows: str | None = None) -> Iterator[bytes]:  # fmt: skip
    """The CSV as UTF-8 byte chunks, BOM first (so Excel reads Chinese correctly); `shows`, when
    given, is a last line saying which submissions and towns the rows are (approved only…)."""
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
    if questionnaire.note.zh:  # a last line of one cell: the file stays one table plus a note
        writer.writerow([questionnaire.note.get(lang)])
    if shows:
        writer.writerow([neutralise(shows)])
    yield drain()


def _group_rows(title: str, groups: list[GroupRow], label, questionnaire: Questionnaire, lang: str,
                at_or_above: str):  # fmt: skip
    levels, above = questionnaire.levels, target_levels(questionnaire)
    target = [lv.id for lv in above]
    extra = [at_or_above % {"level": above[0].label.get(lang)}] if above else []
    yield [title]
    yield ["", "n", "mean", "median", *[lv.label.get(lang) for lv in levels], *extra]
    for g in groups:
        shares = [round(g.share(target), 4)] if target else []
        yield [neutralise(label(g.key, lang)), g.n,
               round(g.mean, 2) if g.mean is not None else None,
               round(g.median, 2) if g.median is not None else None,
               *[round(g.stage_shares.get(lv.id, 0.0), 4) for lv in levels], *shares]  # fmt: skip
    yield []


def write_xlsx(out: BinaryIO, rows: Iterable[Row], questionnaire: Questionnaire, lang: str,
               texts: dict[str, str], dashboard: Dashboard | None,
               shows: str | None = None) -> None:  # fmt: skip
    """An XLSX workbook: a sheet of enterprises with their latest scores and a sheet of cohort
    tables (by industry, town, size), written in streaming mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(texts["sheet_enterprises"])
    sheet.append(header(questionnaire, lang, texts))
    for row in rows:
        sheet.append(row_values(row, questionnaire, lang))
    cohorts = book.create_sheet(texts["sheet_cohorts"])
    if questionnaire.note.zh:
        cohorts.append([questionnaire.note.get(lang)])
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
            for line in _group_rows(title, groups, label, questionnaire, lang,
                                    texts["at_or_above"]):  # fmt: skip
                cohorts.append(line)
    if shows:  # which submissions and towns every figure of the workbook counts
        cohorts.append([neutralise(shows)])
    book.save(out)
