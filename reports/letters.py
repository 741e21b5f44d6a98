"""Printable invitation letters of a campaign: one A4 page per target, with its personal link as a
QR code and its invitation code. No Flask: callers pass plain data and get PDF bytes.

build_letters(campaign, letters, lang) -> bytes
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports.builder import configure_reportlab
from reports.fonts import report_fonts
from reports.i18n import normalise, translator
from reports.styles import BRAND, BRAND_LIGHT, CONTENT_W, MARGIN_X, Styles, styles_for
from reports.text import user

QR_SIZE = 34 * mm


@dataclass(frozen=True)
class LetterCampaign:
    """What every letter of a campaign says (texts already in the letters' language)."""

    name: str
    description: str
    starts_on: date
    ends_on: date
    questionnaires: tuple[str, ...]
    join_url: str  # the page where a code can be typed


@dataclass(frozen=True)
class Letter:
    """One target's letter."""

    enterprise_name: str
    contact_name: str
    uscc: str
    town: str  # in the letters' language
    code: str  # as printed (ABCD-EFGH-JKMN)
    link: str  # the personal link


class QrCode(Flowable):
    """A QR code drawn as filled squares straight onto the page.

    reportlab's QR widget encodes each code nine times (once per mask, to pick the best, and
    again to draw) and draws one shape per module: about 0.2 s a code. Every mask gives a valid
    code that phones read, so the first one is used, and dark runs of a row are one rectangle."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        code = QRCode(None, QRErrorCorrectLevel.M)
        code.addData(text)
        code.version = code.calculate_version()
        code.makeImpl(False, 0)
        self.modules = code.modules
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width, available_height):  # noqa: D102 - reportlab API
        return self.size, self.size

    def draw(self) -> None:
        """Draw the dark modules with a quiet zone of two modules around them."""
        count = len(self.modules)
        unit = self.size / (count + 4)
        path = self.canv.beginPath()
        for row, cells in enumerate(self.modules):
            y = self.size - (row + 3) * unit
            col = 0
            while col < count:
                if not cells[col]:
                    col += 1
                    continue
                start = col
                while col < count and cells[col]:
                    col += 1
                path.rect((start + 2) * unit, y, (col - start) * unit, unit)
        self.canv.setFillColorRGB(0, 0, 0)
        self.canv.drawPath(path, stroke=0, fill=1)


def _how_to(campaign: LetterCampaign, letter: Letter, s: Styles, _) -> Table:
    """The box with the two ways in: the link (and its QR code) and the code."""
    u = s.fonts
    steps = [
        Paragraph(user(_("1. Scan the QR code with your phone, or open your personal link:"), u),
                  s.body),
        Paragraph(f'<font color="#0b5cab">{user(letter.link, u)}</font>', s.small),
        Spacer(1, 3 * mm),
        Paragraph(user(_("2. Or go to %(url)s and enter your invitation code:",
                         url=campaign.join_url), u), s.body),
        Paragraph(user(letter.code, u), s.stage),
    ]  # fmt: skip
    box = Table(
        [[steps, QrCode(letter.link, QR_SIZE)]], colWidths=[CONTENT_W - QR_SIZE - 14 * mm, None]
    )
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT),
        ("LINEABOVE", (0, 0), (-1, 0), 2, BRAND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
    ]))  # fmt: skip
    return box


def _letter(campaign: LetterCampaign, letter: Letter, s: Styles, _) -> list:
    u = s.fonts
    greeting = (_("Dear %(name)s,", name=letter.contact_name) if letter.contact_name
                else _("Dear Sir or Madam,"))  # fmt: skip
    facts = _("Unified social credit code: %(uscc)s · Town / subdistrict: %(town)s",
              uscc=letter.uscc, town=letter.town)  # fmt: skip
    invite = _(
        "You are invited to take part in “%(campaign)s”: a free self-assessment of your "
        "enterprise's digital maturity, open from %(start)s to %(end)s.",
        campaign=campaign.name, start=campaign.starts_on.isoformat(),
        end=campaign.ends_on.isoformat(),
    )  # fmt: skip
    flow = [
        Paragraph(user(_("Cixi Enterprise Digital Maturity Self-Assessment"), u), s.kicker),
        s.heading(user(_("Invitation letter"), u), s.title),
        Spacer(1, 4 * mm),
        s.heading(user(letter.enterprise_name, u), s.cover_name),
        Paragraph(user(facts, u), s.muted),
        Spacer(1, 8 * mm),
        Paragraph(user(greeting, u), s.body),
        Paragraph(user(invite, u), s.body),
    ]
    if campaign.description:
        flow.append(Paragraph(user(campaign.description, u), s.body))
    if campaign.questionnaires:
        listed = _("Questionnaires to fill in: %(names)s", names="; ".join(campaign.questionnaires))
        flow.append(Paragraph(user(listed, u), s.body))
    closing = [
        Spacer(1, 6 * mm),
        KeepTogether([_how_to(campaign, letter, s, _)]),
        Spacer(1, 6 * mm),
        Paragraph(user(_("Registering through your link or with your code fills in your "
                         "enterprise's details for you: please check them. The code is for "
                         "your enterprise only."), u), s.body),
        Paragraph(user(_("Your answers are confidential: the bureau sees figures for Cixi as a "
                         "whole and the progress of the campaign."), u), s.muted),
    ]  # fmt: skip
    return flow + closing


def build_letters(
    campaign: LetterCampaign, letters: list[Letter], lang: str, font_path: str | None = None
) -> bytes:
    """One A4 page per letter, in `lang` ('zh' or 'en')."""
    configure_reportlab()
    lang = normalise(lang)
    fonts = report_fonts(font_path)
    s, _ = styles_for(fonts, lang), translator(lang).gettext
    buffer = io.BytesIO()
    title = _("Invitation letter")
    doc = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=20 * mm, bottomMargin=18 * mm,
                          title=f"{title} · {campaign.name}", lang="zh-CN" if lang == "zh" else "en",
                          author=_("Cixi Enterprise Digital Maturity Self-Assessment"))  # fmt: skip
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="letter", frames=[frame])])
    story: list = []
    for number, letter in enumerate(letters):
        if number:
            story.append(PageBreak())
        story += _letter(campaign, letter, s, _)
    if not story:
        story.append(Paragraph(user(_("No invitation to print."), fonts), s.body))
    doc.build(story)
    return buffer.getvalue()
