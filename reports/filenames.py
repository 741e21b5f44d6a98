"""Download file names for reports: safe on Windows, with an ASCII fallback (RFC 6266)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_NAME = 60  # characters of the enterprise name; Windows allows 255 per name, paths add up
MAX_EXTRA = 30


def _safe(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = _FORBIDDEN.sub("", text)
    # Invisible format characters (bidi overrides, zero-width joiners) could disguise a name.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _SPACES.sub(" ", text).strip()
    return text[:limit].strip().rstrip(".")


def _ascii(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:limit].strip("-._")


def _not_reserved(name: str) -> str:
    return f"_{name}" if name.split(".")[0].upper() in _RESERVED else name


def local_date(when: datetime | None, timezone: str = "Asia/Shanghai") -> date | None:
    """The calendar day of a stored (naive UTC) time in `timezone`."""
    if when is None:
        return None
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone)).date()


def report_filename(
    name: str, day: date | None, extra: str = "", extra_ascii: str = ""
) -> tuple[str, str]:
    """(file name, ASCII fallback) for the report of enterprise `name` on `day`.

    `extra` (e.g. the questionnaire title) and `extra_ascii` (its id) sit between name and date.
    Both names lose the characters Windows forbids, control and invisible characters, trailing
    dots and spaces, and never form a reserved device name (CON, NUL, COM1...); the fallback keeps
    only ASCII letters, digits, '-', '_' and '.'.
    """
    stamp = day.strftime("%Y-%m-%d") if day else ""
    parts = [_safe(name, MAX_NAME) or "report", _safe(extra, MAX_EXTRA), stamp]
    unicode_name = _not_reserved("_".join(p for p in parts if p))
    fallback = [_ascii(name, MAX_NAME) or "report", _ascii(extra_ascii, MAX_EXTRA), stamp]
    ascii_name = _not_reserved("_".join(p for p in fallback if p))
    return f"{unicode_name}.pdf", f"{ascii_name}.pdf"


def content_disposition(name: str, day: date | None, extra: str = "", extra_ascii: str = "") -> str:
    """`attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266, 8187)."""
    unicode_name, ascii_name = report_filename(name, day, extra, extra_ascii)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"
