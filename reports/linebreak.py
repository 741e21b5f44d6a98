"""Chinese line breaking for reportlab paragraphs (wordWrap="CJK"), and faster text measuring.

reportlab breaks CJK text between any two characters and lets one character that must not start a
line hang in the margin; its list of such characters lacks most Chinese punctuation (，：；？！》”…),
and a second one (as in "）；") still starts the next line. `install()` (called by
`reports.configure_reportlab`) puts these in place:

* the Chinese closing punctuation joins reportlab's "cannot start a line" list (used by its
  multi-font paragraphs);
* single-font paragraphs (most of the report) are broken by `kinsoku_split`: never before closing
  punctuation, never after opening punctuation, never inside a Latin word or number; characters
  are pushed to the next line instead of hanging in the margin;
* character and word widths come from cached font tables (reportlab's C accelerator is a separate
  package, and paragraphs are re-wrapped several times by tables and KeepTogether).

The replacements only ever refine reportlab's behaviour for the same inputs and signatures.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.rl_config import _FUZZ

CANNOT_START = "，。、：；？！）》〉」』】〕〗”’…·％‰～—．,.;:!?)]}%" + textsplit.ALL_CANNOT_START
CANNOT_END = "（《〈「『【〔〖“‘([{" + textsplit.ALL_CANNOT_END
CJK_FROM = 0x2E80  # CJK radicals onwards: ideographs, kana, full-width forms


def _joined(left: str, right: str) -> bool:
    """True when no line may break between these two characters."""
    if right in CANNOT_START or left in CANNOT_END:
        return True
    # Latin words, numbers, "ERP/MES", "2.0": narrow characters with no space between them.
    return (ord(left) < CJK_FROM and ord(right) < CJK_FROM
            and not left.isspace() and not right.isspace())  # fmt: skip


def kinsoku_split(word: str, widths, max_widths) -> list[list]:
    """Break `word` into lines no wider than `max_widths` (points; one per line, the last one
    repeating), as [[unused width, line text], ...] like reportlab's `dumbSplit`."""
    if not isinstance(max_widths, list | tuple):
        max_widths = [max_widths]
    lines: list[list] = []
    start, n = 0, len(word)
    while start < n:
        max_w = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i = 0.0, start
        while i < n and used + widths[i] <= max_w + _FUZZ:
            used += widths[i]
            i += 1
        if i >= n:
            lines.append([max_w - used, word[start:]])
            break
        end = i
        # Look back for an allowed break, but do not leave a line less than a third full.
        floor = start + max(1, (i - start) // 3)
        while end > floor and _joined(word[end - 1], word[end]):
            end -= 1
        if _joined(word[end - 1], word[end]) or end <= start:
            end = max(i, start + 1)  # no allowed break: cut where the line is full
            if end < n and word[end] in CANNOT_START:
                end += 1  # as reportlab does: let one closing mark hang rather than lead
        text = word[start:end].rstrip()
        lines.append([max_w - sum(widths[start : start + len(text)]), text])
        start = end
        while start < n and word[start].isspace():
            start += 1
    return lines


@lru_cache(maxsize=8192)
def _char_widths(word: str, font_name: str, size: float) -> tuple[float, ...]:
    font = getFont(font_name)
    face = getattr(font, "face", None)
    if not isinstance(font, TTFont) or face is None:
        return tuple(stringWidth(ch, font_name, size) for ch in word)
    get, default, k = face.charWidths.get, face.defaultWidth, 0.001 * size
    return tuple(k * get(ord(ch), default) for ch in word)


def char_widths(word, fontName, fontSize):  # noqa: N803 - reportlab's signature
    """reportlab's `getCharWidths`, from the cached font width table."""
    return list(_char_widths(word, fontName, fontSize))


@lru_cache(maxsize=16384)
def string_width(text: str, font_name: str, size: float, encoding: str = "utf8") -> float:
    """reportlab's `stringWidth`, cached (paragraphs measure the same words on every re-wrap)."""
    return stringWidth(text, font_name, size, encoding)


def install() -> None:
    """Put the rules into reportlab's paragraph machinery (idempotent; see `configure_reportlab`)."""
    if getattr(textsplit, "_cixi_installed", False):
        return
    textsplit._cixi_installed = True
    extra = "".join(c for c in CANNOT_START if c not in textsplit.ALL_CANNOT_START)
    rl_paragraph.ALL_CANNOT_START += extra
    textsplit.ALL_CANNOT_START += extra
    textsplit.dumbSplit = kinsoku_split
    textsplit.getCharWidths = char_widths
    rl_paragraph.stringWidth = string_width
