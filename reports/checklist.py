"""The MIIT report's 现场评定准备清单 (on-site rating preparation checklist): for every answer that
earned points or a level, what to have ready for an assessor (`LevelView.checklist`)."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from reports.context import Ctx
from reports.styles import CONTENT_W

BOX = "□"  # a box to tick on paper (GBK has it, so the CID fallback font draws it too)


def checklist(ctx: Ctx) -> list:
    """One row per answer that earned points or a level: the question, the answer, the evidence."""
    _, s, lv = ctx.t.gettext, ctx.s, ctx.view.levels
    out: list = [s.heading(ctx.u(_("On-site rating preparation checklist")), s.h1)]
    if not lv.checklist:
        text = _("No answer earned points or a level yet, so there is no evidence to prepare.")
        return [*out, Paragraph(ctx.u(text), s.body)]
    intro = _(
        "For each answer that earned points or a level, the material an assessor may ask to see "
        "in an on-site rating. Tick each item when it is ready."
    )
    out.append(Paragraph(ctx.u(intro), s.body))
    rows = [ctx.head(["", _("Question and your answer"), _("Evidence to have ready")], 3)]
    bullet = ParagraphStyle("evidence", parent=s.cell, leftIndent=8, bulletIndent=0)
    box = ParagraphStyle("box", parent=s.cell, fontSize=13, leading=14)
    for item in lv.checklist:
        evidence = [Paragraph(ctx.tr(e), bullet, bulletText="•" if ctx.fonts.embedded else "・")
                    for e in item.evidence] or [Paragraph("—", s.cell)]  # fmt: skip
        rows.append([Paragraph(BOX, box),
                     [Paragraph(s.bold(ctx.tr(item.question.text)), s.cell),
                      Paragraph(ctx.u(item.answer), s.muted)],
                     evidence])  # fmt: skip
    w = CONTENT_W
    out.append(ctx.table(rows, [w * 0.05, w * 0.43, w * 0.52], zebra=True))
    return out
