"""Importing a campaign's target list from an .xlsx or .csv file: reading the file, the preview
(every row's problems and what would be created or updated; nothing is saved), and the commit in
one transaction. Re-importing updates targets by credit code. No Flask.

Between the preview and the commit the upload is kept on the server (`pending`), never in the
browser: the commit reads the file again from there and checks everything again, so what is
saved is exactly what the checks passed at that moment.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assessment.core.enterprise import town_label
from assessment.core.target_rows import TargetRow, TargetValues
from assessment.core.target_table import HEADER_SEARCH_ROWS, TableCheck, check_table
from assessment.core.text import N_, Problem, Text
from assessment.services.campaigns import new_invite_code
from assessment.services.models import Campaign, CampaignTarget, Enterprise, utcnow

MAX_ROWS = 20_000
MAX_COLUMNS = 40
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
_XLSX_MAGIC = b"PK\x03\x04"
_CHUNK = 900  # codes per IN (…) query: below every database's parameter limit
# The target's columns a row sets (everything the file can say).
VALUE_COLUMNS = tuple(f.name for f in fields(TargetValues))


class FileProblem(Exception):
    """A file that cannot be imported at all; `problem` says why, for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def size_text(size: int) -> str:
    """A file size as people read it: 5.0 MB, 120 KB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def read_table(filename: str, data: bytes, max_bytes: int) -> list[list[Any]]:
    """The cells of the file's first sheet (xlsx) or of the CSV file, row by row.

    Raises FileProblem for a file over `max_bytes`, an empty one, another format, bytes that are
    not what the name says, or more rows than can be imported."""
    if len(data) > max_bytes:
        raise FileProblem(Problem(N_("The file is %(size)s; files up to %(limit)s can be imported."),
                                  {"size": size_text(len(data)), "limit": size_text(max_bytes)}))  # fmt: skip
    if not data.strip():
        raise FileProblem(Problem(N_("The file is empty.")))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix == ".csv":
        return _read_csv(data)
    if suffix == ".xls":
        raise FileProblem(Problem(N_("This is the old Excel format (.xls). Open it in Excel or WPS "
                                     "and save it as .xlsx, then upload that.")))  # fmt: skip
    raise FileProblem(Problem(N_("Upload an Excel workbook (.xlsx) or a CSV file (.csv).")))


def _limit_rows(rows: Iterator) -> list[list[Any]]:
    """Rows up to what can be imported (a compressed workbook may unpack to millions)."""
    table = []
    for row in rows:
        table.append(list(row[:MAX_COLUMNS]))
        if len(table) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise FileProblem(Problem(N_("The file has more than %(max)s rows; split it into "
                                         "several files."), {"max": MAX_ROWS}))  # fmt: skip
    return table


def _read_xlsx(data: bytes) -> list[list[Any]]:
    not_excel = Problem(N_("This file is not an Excel workbook, although its name ends in .xlsx. "
                           "Open it in Excel or WPS and save it as .xlsx (Excel workbook)."))  # fmt: skip
    if not data.startswith(_XLSX_MAGIC):
        raise FileProblem(not_excel)
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it skips
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheet = book.worksheets[0]
                # No max_col: openpyxl would pad every row with empty cells up to it.
                return _limit_rows(sheet.iter_rows(values_only=True))
            finally:
                book.close()
    except FileProblem:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, EOFError):
        raise FileProblem(not_excel) from None


def _read_csv(data: bytes) -> list[list[Any]]:
    if b"\x00" in data[:4096]:
        raise FileProblem(Problem(N_("This file is not a CSV text file. Save the sheet as CSV "
                                     "(comma-separated) or upload the .xlsx workbook.")))  # fmt: skip
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(Problem(N_("The text of this CSV file cannot be read. Save it as "
                                     "“CSV UTF-8” and upload it again.")))  # fmt: skip
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content, newline=""), dialect)
    try:
        return _limit_rows(reader)
    except csv.Error:
        raise FileProblem(Problem(N_("This CSV file is malformed (a quote is not closed?). Open "
                                     "it in Excel or WPS and save it again."))) from None  # fmt: skip


# --- the preview -------------------------------------------------------------------------------


@dataclass
class RowPlan:
    """What the commit would do with one row: create, update (which columns), leave unchanged,
    or nothing (the row has errors); the registered enterprise with its code, if any, and
    whether it was registered under another name or town."""

    row: TargetRow
    action: str
    changes: list[str] = field(default_factory=list)
    enterprise_id: int | None = None
    target_id: int | None = None
    conflict: bool = False
    binds: bool = False  # the commit binds the target to the registered enterprise


@dataclass
class Preview:
    """The checked file and the plan for each row."""

    check: TableCheck
    plans: list[RowPlan]

    @property
    def ok(self) -> bool:
        """True when the file and every row can be imported."""
        return self.check.ok

    def count(self, action: str) -> int:
        """How many rows the commit would treat so."""
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def conflicts(self) -> int:
        """Rows whose code belongs to an enterprise registered under another name or town."""
        return sum(1 for plan in self.plans if plan.conflict)


def _in_chunks(session: Session, stmt_for, codes: list[str]) -> Iterator:
    for start in range(0, len(codes), _CHUNK):
        yield from session.execute(stmt_for(codes[start : start + _CHUNK]))


def preview(session: Session, campaign: Campaign, table: list[list[Any]]) -> Preview:
    """Check every row and compare it with the campaign's targets and the registered enterprises
    (nothing is written)."""
    check = check_table(table, MAX_ROWS)
    codes = [row.values.uscc for row in check.rows if row.values.uscc]
    columns = [getattr(CampaignTarget, c) for c in VALUE_COLUMNS]
    existing = {
        r.uscc: r
        for r in session.execute(
            select(CampaignTarget.id, CampaignTarget.enterprise_id, *columns).where(
                CampaignTarget.campaign_id == campaign.id
            )
        )
    }
    registered = {
        r.uscc: r
        for r in _in_chunks(session, lambda chunk: select(
            Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.town
        ).where(Enterprise.uscc.in_(chunk)), codes)
    }  # fmt: skip
    return Preview(check, [_plan(row, existing, registered) for row in check.rows])


def _plan(row: TargetRow, existing: dict, registered: dict) -> RowPlan:
    enterprise = registered.get(row.values.uscc)
    plan = RowPlan(row, ERROR, enterprise_id=enterprise.id if enterprise is not None else None)
    if enterprise is not None and (enterprise.name, enterprise.town) != (row.values.name,
                                                                        row.values.town):  # fmt: skip
        plan.conflict = True
        town = Text(town_label(enterprise.town, "zh"), town_label(enterprise.town, "en"))
        row.notes.append(Problem(N_(
            "An enterprise with this code is registered as %(name)s (%(town)s); the target will "
            "be linked to it."
        ), {"name": enterprise.name, "town": town}))  # fmt: skip
    if not row.ok:
        return plan
    current = existing.get(row.values.uscc)
    if current is None:
        plan.action, plan.binds = CREATE, plan.enterprise_id is not None
        return plan
    plan.target_id = current.id
    plan.changes = [c for c in VALUE_COLUMNS if getattr(current, c) != getattr(row.values, c)]
    plan.binds = current.enterprise_id is None and plan.enterprise_id is not None
    plan.action = UPDATE if plan.changes or plan.binds else UNCHANGED
    return plan


# --- the commit --------------------------------------------------------------------------------


@dataclass
class Imported:
    """What a commit did."""

    created: int
    updated: int
    unchanged: int
    bound: int


def commit(session: Session, campaign: Campaign, plan: Preview,
           before_commit: Callable[[Imported], None] | None = None) -> Imported:  # fmt: skip
    """Write the preview's creates and updates in one transaction (all or nothing): new targets
    get their invitation codes, targets of registered enterprises are bound to them.
    `before_commit(imported)` writes more in the same transaction (a job records its outcome).

    Raises FileProblem when the preview has errors; a database error rolls everything back and
    propagates."""
    if not plan.ok:
        raise FileProblem(Problem(N_("The file still has problems, so nothing was imported.")))
    now = utcnow()
    creates, updates, bound = [], [], 0
    for item in plan.plans:
        values = {c: getattr(item.row.values, c) for c in VALUE_COLUMNS}
        bound += item.binds
        if item.action == CREATE:
            creates.append({**values, "campaign_id": campaign.id, "invite_code": new_invite_code(),
                            "enterprise_id": item.enterprise_id, "created_at": now,
                            "updated_at": now})  # fmt: skip
        elif item.action == UPDATE:
            bind = {"enterprise_id": item.enterprise_id} if item.binds else {}
            updates.append({**values, **bind, "id": item.target_id, "updated_at": now})
    try:
        # Core executemany (multi-row INSERTs): the ORM's bulk insert fetches every new id back.
        for start in range(0, len(creates), 2000):
            session.execute(insert(CampaignTarget.__table__), creates[start : start + 2000])
        if updates:
            session.execute(update(CampaignTarget), updates)
        done = Imported(len(creates), len(updates), plan.count(UNCHANGED), bound)
        if before_commit is not None:
            before_commit(done)
        session.commit()
    except SQLAlchemyError:  # nothing half-imported: the whole list or nothing
        session.rollback()
        raise
    return done
