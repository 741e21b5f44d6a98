"""Typography and colours of the report: paragraph styles per language and font, table styles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, TableStyle

from reports.fonts import FontSet

PAGE_W, PAGE_H = A4
MARGIN_X = 54
MARGIN_TOP = 72
MARGIN_BOTTOM = 62
CONTENT_W = PAGE_W - 2 * MARGIN_X

BRAND = colors.HexColor("#0b5cab")
BRAND_DARK = colors.HexColor("#08437d")
BRAND_LIGHT = colors.HexColor("#e8f0fa")
INK = colors.HexColor("#1f2933")
TEXT = colors.HexColor("#33404d")
MUTED = colors.HexColor("#66727f")
RULE = colors.HexColor("#d5dbe3")
GOOD = colors.HexColor("#1c7c54")
WARN = colors.HexColor("#b45309")
WASH = colors.HexColor("#f5f7fa")


class StrokedParagraph(Paragraph):
    """A paragraph drawn filled and outlined in its text colour (text render mode 2): the
    deliberate faux bold used when the CJK font has no bold face."""

    def draw(self):
        """Draw with a thin outline around every glyph, then restore the graphics state."""
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(self.style.textColor)
        canv.setLineWidth(self.style.fontSize * 0.03)
        canv._code.append("2 Tr")
        try:
            super().draw()
        finally:
            canv.restoreState()


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one report (a language and a font set)."""

    fonts: FontSet
    lang: str
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_num: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_num: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    kicker: ParagraphStyle
    title: ParagraphStyle
    cover_name: ParagraphStyle
    big: ParagraphStyle
    big_label: ParagraphStyle
    stage: ParagraphStyle
    centered: ParagraphStyle
    header: ParagraphStyle

    def para(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of (already escaped) markup."""
        return Paragraph(markup, style or self.body)

    def heading(self, markup: str, style: ParagraphStyle) -> Paragraph:
        """A heading in the bold face, or stroked when there is none."""
        if self.fonts.fake_bold:
            return StrokedParagraph(markup, style)
        return Paragraph(markup, style)

    def bold(self, markup: str) -> str:
        """Inline bold markup: the bold face, or just the brand ink when there is none."""
        if self.fonts.fake_bold:
            return f'<font color="#1f2933">{markup}</font>'
        return f'<font name="{self.fonts.bold}">{markup}</font>'


@lru_cache(maxsize=8)
def styles_for(fonts: FontSet, lang: str) -> Styles:
    """The styles for a font set and language (cached: styles are immutable in use)."""
    regular, bold = fonts.regular, fonts.bold
    cjk = lang != "en"
    # Chinese reads better with more leading; CJK wrapping breaks between any two characters.
    wrap = {"wordWrap": "CJK"} if cjk else {}
    factor = 1.62 if cjk else 1.45

    def style(name, size, color=TEXT, font=regular, lead=None, **kw) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=lead or round(size * factor, 1),
            textColor=color,
            splitLongWords=1,
            **{**wrap, **kw},
        )

    return Styles(
        fonts=fonts,
        lang=lang,
        body=style("body", 9.5, spaceAfter=5),
        small=style("small", 8.5, spaceAfter=3),
        muted=style("muted", 8, MUTED, spaceAfter=3),
        cell=style("cell", 8.5),
        cell_num=style("cell_num", 8.5, alignment=TA_RIGHT),
        cell_head=style("cell_head", 8, MUTED),
        cell_head_num=style("cell_head_num", 8, MUTED, alignment=TA_RIGHT),
        h1=style("h1", 17, BRAND, bold, lead=22, spaceBefore=16, spaceAfter=4),
        h2=style("h2", 12.5, INK, bold, lead=17, spaceBefore=12, spaceAfter=5),
        h3=style("h3", 10, BRAND_DARK, bold, lead=14, spaceBefore=8, spaceAfter=3),
        kicker=style("kicker", 9, BRAND, spaceAfter=2),
        title=style("title", 26, INK, bold, lead=34, spaceAfter=6),
        cover_name=style("cover_name", 18, BRAND, bold, lead=25, spaceAfter=4),
        big=style("big", 34, BRAND, bold, lead=38, alignment=TA_LEFT),
        big_label=style("big_label", 8.5, MUTED, spaceAfter=2),
        stage=style("stage", 15, INK, bold, lead=20, spaceAfter=4),
        centered=style("centered", 8.5, TEXT, alignment=TA_CENTER),
        header=style("header", 8, MUTED, lead=10, alignment=TA_RIGHT, wordWrap=None),
    )


def table_style(header: bool = True, zebra: bool = False) -> TableStyle:
    """Light rules: a stronger line under the header, hairlines between rows, no verticals."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 0), (-1, -2), 0.35, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
    ]
    if header:
        commands += [
            ("LINEBELOW", (0, 0), (-1, 0), 0.9, BRAND),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [None, WASH]))
    return TableStyle(commands)
