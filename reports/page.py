"""Header and footer on every page, with "page n / N" (a canvas that counts its pages first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from reports.styles import BRAND, MARGIN_X, MUTED, PAGE_H, PAGE_W, RULE, Styles
from reports.text import fit, user


@dataclass(frozen=True)
class Chrome:
    """What the header and footer say."""

    product: str
    enterprise: str  # plain text, as typed
    left_footer: str
    page_label: Callable[[int, int], str]  # (n, N) -> "n / N"
    styles: Styles


def _draw_user_line(canv: Canvas, chrome: Chrome, text: str, x_right: float, y: float, w: float):
    """A right-aligned line of user text (escaped, fallback glyphs), cut to `w` points."""
    s = chrome.styles
    short = fit(text, s.fonts.regular, s.header.fontSize, w)
    para = Paragraph(user(short, s.fonts, newlines=False), s.header)
    para.wrap(w + 12, 20)  # a little slack: glyph fallback fonts may be slightly wider
    para.drawOn(canv, x_right - w - 12, y - 2)


def draw_chrome(canv: Canvas, chrome: Chrome, page: int, pages: int) -> None:
    """Draw the header (product, enterprise) and the footer (report, page n / N) on one page."""
    s = chrome.styles
    font = s.fonts.regular
    canv.saveState()
    top = PAGE_H - 38
    canv.setFillColor(BRAND)
    canv.rect(MARGIN_X, top + 1, 3, 10, stroke=0, fill=1)
    canv.setFont(font, 8.5)
    canv.setFillColor(BRAND)
    product = fit(chrome.product, font, 8.5, PAGE_W / 2 - MARGIN_X)
    canv.drawString(MARGIN_X + 8, top + 2.5, product)
    name_w = PAGE_W - 2 * MARGIN_X - canv.stringWidth(product, font, 8.5) - 40
    _draw_user_line(canv, chrome, chrome.enterprise, PAGE_W - MARGIN_X, top, name_w)
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, top - 7, PAGE_W - MARGIN_X, top - 7)
    bottom = 34
    canv.line(MARGIN_X, bottom + 13, PAGE_W - MARGIN_X, bottom + 13)
    canv.setFont(font, 7.5)
    canv.setFillColor(MUTED)
    canv.drawString(
        MARGIN_X, bottom, fit(chrome.left_footer, font, 7.5, PAGE_W - 2 * MARGIN_X - 80)
    )
    canv.setFont(font, 8)
    canv.setFillColor(BRAND)
    canv.drawRightString(PAGE_W - MARGIN_X, bottom, chrome.page_label(page, pages))
    canv.restoreState()


def numbered_canvas(chrome: Chrome, font_name: str) -> type[Canvas]:
    """A Canvas class that keeps every page until the end, then draws the chrome with the total
    page count known (the classic two-step "page n of N" canvas)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # Start every page in the report font, so no unused Helvetica is referenced.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font_name
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                draw_chrome(self, chrome, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas
