"""Right-to-left text (Hebrew, Arabic) in visual order, for reportlab, which draws left to right.

A small subset of the Unicode Bidirectional Algorithm (UAX #9), enough for names and short notes
inside our left-to-right paragraphs: strong right-to-left runs are reversed (numbers inside them
keep their order), neutrals between two right-to-left characters join them, and brackets in
reversed runs are mirrored. PDF text extractors (pdftotext, pypdf) turn the visual order back into
the order it was typed. Arabic letters are not joined (shaped): reportlab has no shaping engine.
"""

from __future__ import annotations

import re
import unicodedata

_STRONG_RTL = frozenset(("R", "AL"))
_NUMBER = frozenset(("EN", "AN"))
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


# Hebrew, Arabic, Syriac, Thaana, NKo... and their presentation forms: a fast pre-check.
_RTL_BLOCKS = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def has_rtl(text: str) -> bool:
    """True when `text` holds any right-to-left letter."""
    if not _RTL_BLOCKS.search(text):
        return False
    return any(unicodedata.bidirectional(ch) in _STRONG_RTL for ch in text)


def _levels(line: str) -> list[int]:
    kinds = []
    for ch in line:
        bidi = unicodedata.bidirectional(ch)
        kinds.append("R" if bidi in _STRONG_RTL else "L" if bidi == "L" else
                     "EN" if bidi in _NUMBER else "N")  # fmt: skip
    # Numbers after a right-to-left letter belong to its run (level 2), else they are left-to-right.
    strong = "L"
    for i, kind in enumerate(kinds):
        if kind in ("R", "L"):
            strong = kind
        elif kind == "EN":
            kinds[i] = "RN" if strong == "R" else "L"
    # Neutrals take the direction of their neighbours when both agree, else the paragraph's (L).
    side = ["R" if k in ("R", "RN") else "L" if k == "L" else None for k in kinds]
    before, after = [None] * len(kinds), [None] * len(kinds)
    last = None
    for i, s in enumerate(side):
        before[i], last = last, s or last
    last = None
    for i in range(len(kinds) - 1, -1, -1):
        after[i], last = last, side[i] or last
    levels = []
    for i, kind in enumerate(kinds):
        if kind == "N":
            kind = "R" if before[i] == "R" and after[i] == "R" else "L"
        levels.append({"L": 0, "R": 1, "RN": 2}[kind])
    return levels


def visual(line: str) -> str:
    """One line of text in the order it must be drawn left to right (unchanged without RTL)."""
    if not has_rtl(line):
        return line
    levels = _levels(line)
    chars = [
        ch.translate(_MIRROR) if level % 2 else ch for ch, level in zip(line, levels, strict=True)
    ]
    order = list(range(len(chars)))
    for level in range(max(levels), 0, -1):  # UAX #9 rule L2
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return "".join(chars[k] for k in order)
