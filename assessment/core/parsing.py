"""Reading YAML values while collecting problems: shared by the loader and the question types.

Nothing here raises on bad content: each reader records a problem naming the file, the item and
the reason, and returns a harmless default, so one validation run lists every problem.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from assessment.core.text import EMPTY_TEXT, Text

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
VALUE_RE = re.compile(r"^[a-z0-9_]+$")


class Problems:
    """The problems found in one file, each as "file: where: reason"."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, reason: str) -> None:
        """Record one problem."""
        self.items.append(f"{self.source}: {where}: {reason}")


def text(raw: Any, where: str, field: str, problems: Problems, required: bool = True) -> Text:
    """A bilingual `{zh, en}` text (both non-empty), or EMPTY_TEXT."""
    if raw is None and not required:
        return EMPTY_TEXT
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) and raw.get(k).strip() for k in ("zh", "en")
    ):
        hint = ""
        if isinstance(raw, dict) and any(isinstance(raw.get(k), bool) for k in ("zh", "en")):
            hint = " (unquoted Yes/No/On/Off are booleans in YAML: quote them)"
        problems.add(where, f"'{field}' must have non-empty 'zh' and 'en' texts{hint}")
        return EMPTY_TEXT
    return Text(raw["zh"].strip(), raw["en"].strip())


def number(raw: Any, where: str, field: str, problems: Problems, minimum: float | None = None):
    """A number as float, or None (recorded as a problem)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        problems.add(where, f"'{field}' must be a number")
        return None
    if minimum is not None and raw < minimum:
        problems.add(where, f"'{field}' must be at least {minimum}")
    return float(raw)


def points(raw: Any, where: str, problems: Problems, field: str = "points") -> Decimal:
    """Points as an exact Decimal ("0.7" stays 0.7, not 0.69999…); 0 when invalid.

    YAML gives a float; its shortest repr is the decimal the author wrote, so `Decimal(repr)` is
    exact, and `float()` of it gives back the very same float.
    """
    value = number(raw, where, field, problems, minimum=0)
    return Decimal(repr(value)) if value is not None else Decimal(0)
