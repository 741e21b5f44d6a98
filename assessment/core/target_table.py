"""A campaign's target list as a whole: the header row found among the first rows (title rows
and blank rows above it skipped), every data row checked (`target_rows.check_row`), codes that
appear twice, and problems of the file as a whole. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assessment.core import target_cells as cells
from assessment.core.target_rows import (
    LABELS,
    REQUIRED,
    TargetRow,
    check_row,
    field_problem,
    header_column,
)
from assessment.core.text import N_, Problem

HEADER_SEARCH_ROWS = 20


@dataclass
class TableCheck:
    """The whole table: the header found, the rows, and problems of the file as a whole."""

    header_line: int | None
    columns: dict[str, int]
    ignored: list[str]
    rows: list[TargetRow]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when the file and every row can be imported."""
        return not self.problems and all(row.ok for row in self.rows)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _find_header(
    table: Sequence[Sequence[Any]],
) -> tuple[int | None, dict[str, int], list[Problem]]:
    """The header's index in `table`, its columns, and problems (none found, a column twice)."""
    best, best_columns = None, {}
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = {}
        for position, value in enumerate(row):
            column = header_column(value)
            if column is not None:
                found.setdefault(column, []).append(position)
        if len(found) >= 2 and len(found) > len(best_columns):
            best, best_columns = index, found
    if best is None:
        return None, {}, [Problem(N_(
            "No header row was found. The first rows must name the columns, e.g. "
            "统一社会信用代码, 企业名称, 镇街, 行业: download the template to see them."))]  # fmt: skip
    problems = [
        Problem(N_("Columns %(columns)s are all read as %(column)s: keep only one of them."),
                {"columns": ", ".join(_column_letter(p) for p in positions),
                 "column": LABELS[column]})
        for column, positions in best_columns.items() if len(positions) > 1
    ]  # fmt: skip
    missing = [c for c in REQUIRED if c not in best_columns]
    if missing:
        problems.append(Problem(N_("Required columns are missing: %(columns)s (header row %(line)s)."),
                                {"columns": ", ".join(f"{LABELS[c].zh} ({LABELS[c].en})"
                                                      for c in missing), "line": best + 1}))  # fmt: skip
    return best, {c: positions[0] for c, positions in best_columns.items()}, problems


def _mark_duplicates(rows: list[TargetRow]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        code = row.values.uscc
        if not code:
            continue
        if code in first_line:
            row.errors.append(field_problem("uscc", Problem(
                N_("The same code is already on row %(line)s of the file."),
                {"line": first_line[code]})))  # fmt: skip
        else:
            first_line[code] = row.line


def check_table(table: Sequence[Sequence[Any]], max_rows: int) -> TableCheck:
    """Find the header in `table` (rows of cell values, as read from the file) and check every
    data row below it; blank rows are skipped. More than `max_rows` data rows is a problem of
    the file (nothing is checked then)."""
    header, columns, problems = _find_header(table)
    if header is None or problems:
        return TableCheck(header and header + 1, columns, [], [], problems)
    ignored = [
        cells.text(value)
        for position, value in enumerate(table[header])
        if cells.text(value) and position not in columns.values()
    ]
    data = [
        (index + 1, row)
        for index, row in enumerate(table[header + 1 :], start=header + 1)
        if not _blank(row)
    ]
    if len(data) > max_rows:
        problem = Problem(N_("The file has %(rows)s rows; at most %(max)s can be imported at once. "
                             "Split it into several files."), {"rows": len(data), "max": max_rows})  # fmt: skip
        return TableCheck(header + 1, columns, ignored, [], [problem])
    rows = []
    for line, row in data:
        raw = {c: row[p] if p < len(row) else None for c, p in columns.items()}
        rows.append(check_row(line, raw))
    _mark_duplicates(rows)
    if not rows:
        problems.append(Problem(N_("The file has a header but no rows below it.")))
    return TableCheck(header + 1, columns, ignored, rows, problems)


def _blank(row: Sequence[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)
