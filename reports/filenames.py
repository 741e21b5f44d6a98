"""Download file names for reports: safe on Windows, with an ASCII fallback (RFC 6266)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from urllib.parse import quote

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_STEM = 80  # characters; Windows allows 255, but paths add up and mail clients cut names


def _safe(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub("", text)
    # Drop invisible format characters (bidi controls, zero-width joiners) that can disguise names.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _SPACES.sub(" ", text).strip()
    return text[:limit].rstrip(" .")


def report_filename(name: str, when: date | datetime | None, extra: str = "") -> tuple[str, str]:
    """(unicode file name, ASCII fallback) for a report of enterprise `name` dated `when`.

    Both have the characters Windows forbids removed, no trailing dot or space and no reserved
    device name; the ASCII one keeps only letters, digits, '-', '_' and '.'.
    """
    day = when.strftime("%Y-%m-%d") if when else ""
    stem = _safe(name or "", MAX_STEM) or "report"
    parts = (
        [stem] + ([_safe(extra, 30)] if extra and _safe(extra, 30) else []) + ([day] if day else [])
    )
    unicode_name = "_".join(parts)
    if unicode_name.split(".")[0].upper() in _RESERVED:
        unicode_name = f"_{unicode_name}"
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._")[:MAX_STEM]
    ascii_parts = [ascii_stem or "report"] + ([day] if day else [])
    ascii_name = "_".join(ascii_parts)
    if ascii_name.upper() in _RESERVED:
        ascii_name = f"_{ascii_name}"
    return f"{unicode_name}.pdf", f"{ascii_name}.pdf"


def content_disposition(name: str, when: date | datetime | None, extra: str = "") -> str:
    """`attachment; filename="ascii.pdf"; filename*=UTF-8''percent-encoded.pdf` (RFC 6266/5987)."""
    unicode_name, ascii_name = report_filename(name, when, extra)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"
