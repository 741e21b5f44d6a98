"""Font discovery and registration for the PDF report. No Flask.

Chinese needs a CJK font. We embed (as a subset) the first TrueType CJK font found: the configured
`REPORT_FONT`, then common system fonts. OTF/CFF fonts cannot be used by reportlab ("postscript
outlines are not supported") and are skipped. When none is found we fall back to reportlab's
built-in `STSong-Light` CID font (not embedded: the PDF viewer supplies the glyphs) and log that once.

Bold: a real bold face when one sits next to the regular one (e.g. Microsoft YaHei Bold, Noto Sans
SC Bold); otherwise headings are drawn "stroked" (fill + a thin outline in the text colour), a
deliberate faux bold that works with every CJK font — never Helvetica-Bold, which has no CJK glyphs.

A second, Latin/Arabic/Hebrew/emoji font (DejaVu Sans when present) covers characters the CJK font
lacks in user-supplied text, so names such as "A&B 😀" or Hebrew render instead of blank boxes.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"

# Regular face → the bold face that may sit next to it (same directory).
CJK_CANDIDATES: tuple[tuple[str, str | None], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto-sans-sc/NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"),
    ("/usr/share/fonts/noto/NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"),
    ("/usr/local/share/fonts/NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"),
    ("C:/Windows/Fonts/msyh.ttc", "msyhbd.ttc"),
    ("C:/Windows/Fonts/simhei.ttf", None),
    ("C:/Windows/Fonts/simsun.ttc", None),
    ("/System/Library/Fonts/Supplemental/Songti.ttc", None),
    ("/Library/Fonts/Arial Unicode.ttf", None),
)
# Fonts for characters the CJK font lacks (Arabic, Hebrew, emoji...), in user-supplied text only.
GLYPH_FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


@dataclass(frozen=True)
class FontSet:
    """The fonts a report uses, registered with reportlab under these names."""

    regular: str
    bold: str  # == regular when there is no bold face (then `fake_bold` is True)
    fake_bold: bool
    embedded: bool  # False for the CID fallback
    path: str | None  # the CJK font file, None for the CID fallback
    glyph_fallback: str | None = None  # font name for characters the CJK font lacks
    covered: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    fallback_covered: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def draws_all(self, text: str) -> bool:
        """True when the main (embedded) font has a glyph for every character of `text`."""
        return self.embedded and self.covered.issuperset(text)


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's ToUnicode CMap with characters beyond U+FFFF (emoji) written as UTF-16
    surrogate pairs: reportlab 4–5 writes them as odd-length hex (<1F600>), which PDF readers
    reject, so such characters vanish from copied or extracted text."""
    cmap = _original_cmap(fontname, subset)
    for i, codepoint in enumerate(subset):
        if codepoint > 0xFFFF:
            utf16 = chr(codepoint).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{i:02X}> <{codepoint:04X}>", f"<{i:02X}> <{utf16}>")
    return cmap


_original_cmap = getattr(ttfonts.makeToUnicodeCMap, "__wrapped__", ttfonts.makeToUnicodeCMap)
_to_unicode_cmap.__wrapped__ = _original_cmap
ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_lock = threading.Lock()
_cache: dict[str | None, FontSet] = {}
_logged_cid = False


def _register_ttf(path: str, name: str) -> TTFont | None:
    """Register a TrueType file (first face of a collection); None when it is unusable."""
    if name in pdfmetrics.getRegisteredFontNames():
        return pdfmetrics.getFont(name)
    try:
        kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        font = TTFont(name, path, **kwargs)
    except TTFError as exc:  # e.g. "postscript outlines are not supported" (OTF/CFF)
        log.info("report font %s skipped: %s", path, exc)
        return None
    except Exception as exc:  # noqa: BLE001 - any unreadable font file is skipped, never fatal
        log.warning("report font %s unreadable, skipped: %s", path, exc)
        return None
    pdfmetrics.registerFont(font)
    return font


def _font_name(path: str, suffix: str = "") -> str:
    # reportlab font names must be unique per file; keep them short and PDF-safe.
    stem = "".join(c for c in Path(path).stem if c.isalnum())[:24] or "Font"
    return f"Rpt{stem}{suffix}"


def _candidates(preferred: str | None) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    if preferred:
        bold = None
        name = Path(preferred).name
        for regular_word, bold_word in (("Regular", "Bold"), ("regular", "bold")):
            if regular_word in name:
                bold = name.replace(regular_word, bold_word)
                break
        found.append((preferred, bold))
    found.extend(CJK_CANDIDATES)
    return found


def _chars(font: TTFont) -> frozenset[str]:
    return frozenset(map(chr, font.face.charToGlyph))


def _glyph_fallback() -> tuple[str | None, frozenset[str]]:
    for path in GLYPH_FALLBACK_CANDIDATES:
        if os.path.isfile(path):
            font = _register_ttf(path, _font_name(path, "X"))
            if font is not None:
                return font.fontName, _chars(font)
    return None, frozenset()


def _resolve(preferred: str | None) -> FontSet:
    global _logged_cid
    fallback_name, fallback_covered = _glyph_fallback()
    for path, bold_file in _candidates(preferred):
        if not os.path.isfile(path):
            if path == preferred:
                log.warning("REPORT_FONT %s does not exist; looking for a system font", path)
            continue
        font = _register_ttf(path, _font_name(path))
        if font is None:
            continue
        bold = None
        if bold_file:
            bold_path = str(Path(path).with_name(bold_file))
            if os.path.isfile(bold_path):
                bold = _register_ttf(bold_path, _font_name(bold_path, "B"))
        return FontSet(
            regular=font.fontName,
            bold=bold.fontName if bold else font.fontName,
            fake_bold=bold is None,
            embedded=True,
            path=path,
            glyph_fallback=fallback_name,
            covered=_chars(font) | {"\n"},
            fallback_covered=fallback_covered,
        )
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    if not _logged_cid:
        _logged_cid = True
        log.warning(
            "No TrueType CJK font found (set REPORT_FONT or install fonts-wqy-microhei): PDF "
            "reports use the built-in %s CID font, which is not embedded.",
            CID_FALLBACK,
        )
    return FontSet(
        regular=CID_FALLBACK,
        bold=CID_FALLBACK,
        fake_bold=True,
        embedded=False,
        path=None,
        glyph_fallback=fallback_name,
        fallback_covered=fallback_covered,
    )


def report_fonts(preferred: str | None = None) -> FontSet:
    """The fonts for a report: `preferred` (REPORT_FONT) first, then system fonts, else the CID
    fallback. Registered once per process and cached per `preferred` path."""
    key = preferred or None
    with _lock:
        fonts = _cache.get(key)
        if fonts is None:
            fonts = _cache[key] = _resolve(key)
        return fonts


def reset_cache() -> None:
    """Forget the resolved fonts (tests use it to exercise discovery again)."""
    global _logged_cid
    with _lock:
        _cache.clear()
        _logged_cid = False
