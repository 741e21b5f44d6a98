"""Text for Paragraph markup: escaping user input, glyph fallback, CJK line-breaking rules. No Flask.

Everything that comes from users or the database goes through `user()` before it reaches a
Paragraph: control characters are dropped, `& < >` are escaped, and characters the CJK font cannot
draw (Arabic, Hebrew, emoji...) are set in the glyph fallback font when it has them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.bidi import has_rtl, visual
from reports.fonts import FontSet

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufeff]")
ELLIPSIS = "…"


def clean(value: object) -> str:
    """Plain text without control characters, line breaks normalised to "\\n", and
    right-to-left runs in the order they are drawn (see `bidi`)."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    if has_rtl(text):
        text = "\n".join(visual(line) for line in text.split("\n"))
    return text


@lru_cache(maxsize=4096)
def _gbk(ch: str) -> bool:
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


# The built-in CID font (STSong-Light) has no middle dot or bullet, and sets "–" full-width.
CID_SUBSTITUTES = str.maketrans({"·": "・", "•": "・", "–": "-"})


def _drawable(fonts: FontSet, ch: str) -> bool:
    if ch in " \n":
        return True
    if fonts.embedded:
        return ch in fonts.covered
    return ch == "・" or _gbk(ch)  # STSong-Light (Adobe-GB1) covers about what GBK encodes


def user(value: object, fonts: FontSet, *, newlines: bool = True) -> str:
    """Paragraph markup showing `value` exactly as typed (escaped, fallback glyphs)."""
    text = clean(value)
    if not fonts.embedded:
        text = text.translate(CID_SUBSTITUTES)
    if fonts.draws_all(text):  # the common case: one escape, no per-character work
        markup = escape(text)
        return markup.replace("\n", "<br/>") if newlines else markup.replace("\n", " ")
    out: list[str] = []
    run: list[str] = []
    run_fallback = False

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        if run_fallback:
            out.append(f'<font name="{fonts.glyph_fallback}">{chunk}</font>')
        else:
            out.append(chunk)
        run.clear()

    for ch in text:
        fallback = False
        if not _drawable(fonts, ch):
            if ch in fonts.fallback_covered:
                fallback = True
            elif not fonts.embedded:
                ch = "?"  # a CID font would show a wrong glyph: say plainly that one is missing
        if fallback != run_fallback:
            flush()
            run_fallback = fallback
        run.append(ch)
    flush()
    markup = "".join(out)
    return markup.replace("\n", "<br/>") if newlines else markup.replace("\n", " ")


def plain(value: object, fonts: FontSet) -> str:
    """Text for canvas drawString / chart labels (no markup): unprintable characters replaced."""
    text = clean(value).replace("\n", " ")
    if fonts.embedded:
        return text
    text = text.translate(CID_SUBSTITUTES)
    return "".join(ch if _drawable(fonts, ch) else "?" for ch in text)


def fit(text: str, font_name: str, size: float, width: float) -> str:
    """`text` shortened with an ellipsis so it is at most `width` points wide."""
    if stringWidth(text, font_name, size) <= width:
        return text
    limit = width - stringWidth(ELLIPSIS, font_name, size)
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid], font_name, size) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS
