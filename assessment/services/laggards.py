"""The laggards of a campaign as CSV (UTF-8 with BOM) and XLSX, one row per target to call. No
Flask: the caller passes the translated column titles and status labels.

Text cells are neutralised like every bureau export (`exports.neutralise`): a contact name that
starts with "=" cannot run as a formula in the 镇街's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from openpyxl import Workbook

from assessment.core.enterprise import industry_label, town_label
from assessment.core.text import N_
from assessment.services.campaign_progress import TargetState
from assessment.services.exports import neutralise

COLUMNS = {
    "town": N_("Town / subdistrict"), "uscc": N_("Unified social credit code"),
    "name": N_("Enterprise name"), "industry": N_("Industry"), "status": N_("Status"),
    "contact": N_("Contact person"), "phone": N_("Phone"), "email": N_("Email"),
    "activity": N_("Last activity"),
}  # fmt: skip


def row_values(state: TargetState, lang: str, status_labels: dict[str, str]) -> list[Any]:
    """One laggard's cells: the target's town, code, name, industry, status and contact (the
    registered enterprise's contact when the list has none)."""
    target = state.target
    values = [
        town_label(target.town, lang), target.uscc, target.display_name,
        industry_label(target.industry, lang), status_labels.get(state.status, state.status),
        target.contact, target.phone, target.contact_email,
        state.last_activity.strftime("%Y-%m-%d") if state.last_activity else "",
    ]  # fmt: skip
    return [neutralise(v) for v in values]


def csv_bytes(states: Iterable[TargetState], lang: str, titles: dict[str, str],
              status_labels: dict[str, str]) -> Iterator[bytes]:  # fmt: skip
    """The laggards as CSV chunks, BOM first (Excel then reads Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([titles[key] for key in COLUMNS])
    for state in states:
        writer.writerow(row_values(state, lang, status_labels))
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def write_xlsx(out: BinaryIO, states: Iterable[TargetState], lang: str, titles: dict[str, str],
               status_labels: dict[str, str], sheet_title: str) -> None:  # fmt: skip
    """The laggards as one XLSX sheet (streaming mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])  # Excel's limit on a sheet name
    sheet.append([titles[key] for key in COLUMNS])
    for state in states:
        sheet.append(row_values(state, lang, status_labels))
    book.save(out)
