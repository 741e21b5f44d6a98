"""Checking a campaign's target list (the rows of an Excel sheet or a CSV file): which row is the
header, what each row says, and every problem of every row with its reason. Pure.

The header is found by its names, in Chinese or English, among the first rows (title rows,
merged or not, and blank rows above it are skipped). Each data row becomes a `TargetRow`: the
values read (`TargetValues`), its errors (the row cannot be imported) and its notes (it can, and
this is what was understood). Towns and industries are matched by code, Chinese or English name;
an unknown one is reported with the closest known name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assessment.core import target_cells as cells
from assessment.core.enterprise import industries, size_class, size_classes, towns
from assessment.core.text import N_, Problem, Text
from assessment.core.uscc import validate_uscc

MAX_EMPLOYEES = 200_000
MAX_REVENUE_WAN = 10_000_000
# Column → the header names it is known by (compared without case, spaces or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "unified social credit code",
             "credit code"),
    "name": ("企业名称", "单位名称", "企业", "名称", "enterprise name", "enterprise", "company",
             "name"),
    "town": ("镇街", "所属镇街", "镇(街道)", "镇街道", "镇/街道", "town", "town / subdistrict",
             "subdistrict"),
    "industry": ("行业", "所属行业", "industry"),
    "size": ("规模", "企业规模", "size", "size class"),
    "employees": ("从业人员", "从业人数", "从业人员(人)", "员工人数", "employees", "staff"),
    "revenue_wan": ("营业收入(万元)", "营业收入", "revenue (10,000 yuan)", "revenue(万元)",
                    "revenue"),
    "contact_name": ("联系人", "contact person", "contact"),
    "contact_phone": ("电话", "联系电话", "手机", "phone", "telephone", "mobile"),
    "contact_email": ("邮箱", "电子邮箱", "email", "e-mail"),
}  # fmt: skip
REQUIRED = ("uscc", "name", "town", "industry")
# How each column is named in messages and in the template (Chinese first, as the bureau uses).
LABELS: dict[str, Text] = {
    "uscc": Text("统一社会信用代码", "Unified social credit code"),
    "name": Text("企业名称", "Enterprise name"),
    "town": Text("镇街", "Town / subdistrict"),
    "industry": Text("行业", "Industry"),
    "size": Text("规模", "Size"),
    "employees": Text("从业人员", "Employees"),
    "revenue_wan": Text("营业收入(万元)", "Revenue (10,000 yuan)"),
    "contact_name": Text("联系人", "Contact person"),
    "contact_phone": Text("电话", "Phone"),
    "contact_email": Text("邮箱", "Email"),
}
_PUNCT = re.compile(r"[\s*:：()（）/、_\-]+")


def _key(value: Any) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(value)).lower())


_HEADER_KEYS = {_key(name): column for column, names in COLUMNS.items() for name in names}


def header_column(value: Any) -> str | None:
    """The column a header cell names ("统一社会信用代码", "Email", "电话 Phone"…), or None."""
    if value is None:
        return None
    for part in [value, *re.split(r"[\n|/]", str(value))]:
        column = _HEADER_KEYS.get(_key(part))
        if column:
            return column
    return None


@dataclass
class TargetValues:
    """One target as read from a row (empty strings and None where the cell was empty)."""

    uscc: str = ""
    name: str = ""
    town: str = ""
    industry: str = ""
    size_class: str | None = None
    employees: int | None = None
    revenue_wan: float | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass
class TargetRow:
    """A data row: its line in the sheet (1 = the first row), what was read, and its problems."""

    line: int
    values: TargetValues
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the row can be imported."""
        return not self.errors


# --- towns and industries ----------------------------------------------------------------------


def _names(items: Iterable, suffixes: tuple[str, ...]) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for item in items:
        for name in (item.code, item.zh, item.en):
            index.setdefault(_key(name), item)
            for suffix in suffixes:  # "浒山" for 浒山街道, "Hushan" for Hushan Subdistrict
                if _key(name).endswith(suffix) and len(_key(name)) > len(suffix) + 1:
                    index.setdefault(_key(name)[: -len(suffix)], item)
    return index


_TOWNS = _names(towns(), ("街道", "镇", "新区", "subdistrict", "town"))
_INDUSTRIES = _names(industries(), ())
_SIZES = _names(size_classes(), ("型",))


def _match(index: dict[str, Any], given: str) -> tuple[Any | None, Any | None]:
    """(the item named, None) or (None, the closest item by name)."""
    key = _key(given)
    if key in index:
        return index[key], None
    close = difflib.get_close_matches(key, list(index), n=1, cutoff=0.5)
    return None, index[close[0]] if close else None


def _place(kind: str, given: str, index: dict) -> tuple[str, Problem | None]:
    item, suggestion = _match(index, given)
    if item is not None:
        return item.code, None
    label = Text(item_label(suggestion, "zh"), item_label(suggestion, "en")) if suggestion else None
    if kind == "town":
        if label:
            return given, Problem(N_("Unknown town / subdistrict “%(given)s”. Did you mean "
                                     "%(suggestion)s?"), {"given": given, "suggestion": label})  # fmt: skip
        return given, Problem(N_("Unknown town / subdistrict “%(given)s”."), {"given": given})
    if label:
        return given, Problem(N_("Unknown industry “%(given)s”. Did you mean %(suggestion)s?"),
                              {"given": given, "suggestion": label})  # fmt: skip
    return given, Problem(N_("Unknown industry “%(given)s”."), {"given": given})


def item_label(item, lang: str) -> str:
    """A town or industry as suggested: its name and code, e.g. 浒山街道 (hushan)."""
    return f"{item.label(lang)} ({item.code})"


# --- rows ----------------------------------------------------------------------------------------


def field_problem(column: str, problem: Problem) -> Problem:
    """A cell's problem prefixed with its column's name."""
    return Problem(N_("%(column)s: %(problem)s"), {"column": LABELS[column], "problem": problem})


class _Reader:
    """Reads the cells of one row into a TargetRow, collecting problems per column."""

    def __init__(self, line: int, cells_by_column: dict[str, Any]) -> None:
        self.row = TargetRow(line, TargetValues())
        self.raw = cells_by_column

    def read(self, column: str, reader, *args):
        try:
            return reader(self.raw.get(column), *args)
        except cells.CellError as error:
            self.row.errors.append(field_problem(column, error.problem))
            return None

    def required(self, column: str, value: str | None) -> str:
        if value == "":
            self.row.errors.append(field_problem(column, Problem(N_("This cell is empty."))))
        return value or ""


def _read_uscc(reader: _Reader) -> str:
    got = reader.read("uscc", cells.uscc)
    if got is None:
        return ""
    code, note = got
    if note:
        reader.row.notes.append(field_problem("uscc", note))
    if code:
        code, problems = validate_uscc(code)
        reader.row.errors += [field_problem("uscc", p) for p in problems]
    return reader.required("uscc", code)


def _read_size(reader: _Reader, values: TargetValues) -> None:
    values.employees = reader.read("employees", cells.whole_number, MAX_EMPLOYEES)
    values.revenue_wan = reader.read("revenue_wan", cells.amount, MAX_REVENUE_WAN)
    given = reader.read("size", cells.text) or ""
    stated = None
    if given:
        stated, _ = _match(_SIZES, given)
        if stated is None:
            reader.row.errors.append(field_problem("size", Problem(
                N_("Unknown size “%(given)s”: use 大型, 中型, 小型 or 微型."), {"given": given})))  # fmt: skip
    if values.employees is not None and values.revenue_wan is not None:
        values.size_class = size_class(values.employees, values.revenue_wan)
        if stated is not None and stated.code != values.size_class:
            reader.row.notes.append(Problem(N_(
                "Size given as %(given)s, but the employees and revenue make it %(computed)s; "
                "%(computed)s is used."
            ), {"given": Text(stated.zh, stated.en), "computed": _size_text(values.size_class)}))  # fmt: skip
    elif stated is not None:
        values.size_class = stated.code


def _size_text(code: str) -> Text:
    item = _SIZES[_key(code)]
    return Text(item.zh, item.en)


def check_row(line: int, raw: dict[str, Any]) -> TargetRow:
    """Read and check one data row (`raw`: column → cell value)."""
    reader = _Reader(line, raw)
    values = reader.row.values
    values.uscc = _read_uscc(reader)
    values.name = reader.required("name", reader.read("name", cells.limited, 200))
    if values.name and len(values.name) < 2:
        reader.row.errors.append(field_problem("name", Problem(N_("The name is too short."))))
    for column, index in (("town", _TOWNS), ("industry", _INDUSTRIES)):
        given = reader.required(column, reader.read(column, cells.limited, 60))
        if given:
            code, problem = _place(column, given, index)
            setattr(values, column, code)
            if problem:
                reader.row.errors.append(field_problem(column, problem))
    _read_size(reader, values)
    values.contact_name = reader.read("contact_name", cells.limited, 60) or ""
    values.contact_phone = reader.read("contact_phone", cells.phone) or ""
    values.contact_email = reader.read("contact_email", cells.email) or ""
    return reader.row
