"""Reading one cell of a campaign's target list (Excel or CSV) into a clean value, with a problem
that says what was wrong. Pure; the table and its rows are checked in `target_rows`.

Spreadsheets bend what people typed: Excel turns an all-digit credit code or a phone number into a
number (and a code of 16 digits or more loses its last ones), full-width digits and spaces creep
in from Chinese input methods, and a cell may hold a formula instead of a value. Each case gets a
message naming it; nothing is guessed where the guess could be wrong.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from assessment.core.text import N_, Problem

# Excel keeps 15 significant digits: a number at or above this lost digits of the code it was.
_EXACT_LIMIT = 10**15
# Every kind of space a pasted cell may carry (NFKC turns the full-width U+3000 into " ").
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_NUMBER_NOISE = re.compile(r"[,\s\u00a0]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{7,40}$")


class CellError(Exception):
    """A cell that cannot be read; `problem` says why, for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _formula(value: str) -> None:
    if value.startswith("="):
        raise CellError(Problem(N_(
            "The cell holds a formula (%(formula)s), not a value. Copy the column and paste it "
            "back as values only."
        ), {"formula": value[:40]}))  # fmt: skip


def text(value: Any) -> str:
    """A cell as text, surrounding spaces removed; whole numbers without ".0". Raises CellError
    for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    result = str(value).strip().strip("\u3000").strip()
    _formula(result)
    return result


def folded(value: Any) -> str:
    """A cell for matching and codes: full-width characters made ASCII (NFKC), spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))


def uscc(value: Any) -> tuple[str, Problem | None]:
    """The credit code of a cell, with a note when it had to be tidied (full-width characters,
    spaces, an Excel number). Raises CellError when Excel's number lost digits."""
    if isinstance(value, float) and abs(value) >= _EXACT_LIMIT:
        raise CellError(Problem(N_(
            "Excel stored this code as a number (%(number)s) and its last digits are lost. "
            "Format the column as Text and type or paste the codes again."
        ), {"number": f"{value:.6E}"}))  # fmt: skip
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text(value), None
    raw = text(value)
    code = folded(raw).upper()
    if code != raw.upper():
        return code, Problem(
            N_("Full-width characters or spaces were removed from the code: read as %(code)s."),
            {"code": code},
        )
    return code, None


def whole_number(value: Any, maximum: int) -> int | None:
    """A whole number from 0 to `maximum` (thousands separators allowed); None for an empty
    cell. Raises CellError otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raw = _NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", text(value)))
        raw = raw.removesuffix("人")
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            number = -1.5  # reported below like any other bad value
    if not number.is_integer() or not 0 <= number <= maximum:
        raise CellError(Problem(N_("Enter a whole number from 0 to %(max)s, not %(given)s."),
                                {"max": maximum, "given": text(value)[:40]}))  # fmt: skip
    return int(number)


def amount(value: Any, maximum: float) -> float | None:
    """A number from 0 to `maximum` (revenue in 万元; a trailing 万元 is allowed); None for an
    empty cell. Raises CellError otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raw = _NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", text(value)))
        raw = raw.removesuffix("万元").removesuffix("万")
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            number = -1.0
    if not 0 <= number <= maximum:
        raise CellError(Problem(N_("Enter a number from 0 to %(max)s, not %(given)s."),
                                {"max": maximum, "given": text(value)[:40]}))  # fmt: skip
    return number


def phone(value: Any) -> str:
    """A phone number (digits, + - ( ) and spaces), "" when empty. Raises CellError."""
    result = unicodedata.normalize("NFKC", text(value)).strip()
    if result and not _PHONE.match(result):
        raise CellError(Problem(N_("Please enter a phone number (digits, + - and spaces).")))
    return result


def email(value: Any) -> str:
    """An email address in lower case, "" when empty. Raises CellError."""
    result = folded(value).lower()
    if result and (len(result) > 254 or not _EMAIL.match(result)):
        raise CellError(Problem(N_("Please enter a valid email address.")))
    return result


def limited(value: Any, maximum: int) -> str:
    """Text of at most `maximum` characters. Raises CellError when longer."""
    result = " ".join(text(value).split())
    if len(result) > maximum:
        raise CellError(Problem(N_("Use at most %(max)s characters."), {"max": maximum}))
    return result
