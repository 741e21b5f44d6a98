"""The MIIT report's own sections (a points-scored, level-rated questionnaire: `view.levels`): the
cover's note and headline box, the level with S and its parts, the scenario grid with its counts,
progress in exact points, and the peers' level distribution. The path to the next level is in
`level_path`, the evidence checklist in `checklist`."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.core.cohorts import TOTAL
from assessment.core.headline import ahead_sentences
from assessment.core.levels import exact, plain
from reports.context import Ctx, pct
from reports.styles import BRAND, BRAND_LIGHT, CONTENT_W, RULE, WARN, WASH
from reports.summary import fallback_note, ladder, version_note

LEVEL_COHORTS = ("city", "industry", "town", "size")  # as the result page shows them
# Scenario level cells: background and text colour from "below L1" to L4.
LEVEL_FILL = ("#f5f7fa", "#dbe7f5", "#a9c6ea", "#4f8fd6", "#0b5cab")


def number(value) -> str:
    """An exact figure without trailing zeros (35.575, 40): never a float rounding."""
    return "—" if value is None else plain(exact(value))


def change(after, before) -> str:
    """An exact, signed change (coloured markup)."""
    value = exact(after) - exact(before)
    if value > 0:
        return f'<font color="#1c7c54">+{plain(value)}</font>'
    if value < 0:
        return f'<font color="#b45309">{plain(value)}</font>'
    return "0"


def total_markup(ctx: Ctx, size: int = 12) -> str:
    """S in the big style with "/100" after it."""
    return f'{number(ctx.view.levels.total)}<font size="{size}" color="#66727f"> /100</font>'


def note_box(ctx: Ctx) -> Table:
    """The questionnaire's note (按公开资料整理，以官方评测结果为准), set apart."""
    _, s = ctx.t.gettext, ctx.s
    more = _(
        "The level is an estimate from your own answers under the published indicators. Only the "
        "national evaluation system or an on-site rating gives the official level."
    )
    box = ctx.grid([[[s.heading(ctx.tr(ctx.view.levels.note), s.h3),
                      Paragraph(ctx.u(more), s.small)]]], colWidths=[CONTENT_W])  # fmt: skip
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff6e0")),
                             ("LINEBEFORE", (0, 0), (0, -1), 3, WARN),
                             ("LEFTPADDING", (0, 0), (-1, -1), 12),
                             ("TOPPADDING", (0, 0), (-1, -1), 2),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))  # fmt: skip
    return box


def headline(ctx: Ctx) -> Table:
    """The cover's box: the level, S and the rank in Cixi."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    city = view.comparisons["city"]
    rows = [
        [Paragraph(ctx.u(_("Digitalisation level (estimate)")), s.big_label),
         Paragraph(ctx.u(_("Score S (the sum of points)")), s.big_label),
         Paragraph(ctx.u(_("Ahead of, in Cixi")), s.big_label)],
        [Paragraph(ctx.tr(view.levels.level.label), s.big),
         Paragraph(total_markup(ctx), s.big),
         Paragraph(pct(city.percentile.get(TOTAL)) if city.shown else "—", s.stage)],
    ]  # fmt: skip
    box = ctx.grid(rows, colWidths=[CONTENT_W * 0.34, CONTENT_W * 0.38, CONTENT_W * 0.28])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT),
                             ("LINEABOVE", (0, 0), (-1, 0), 2, BRAND),
                             ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 12),
                             ("TOPPADDING", (0, 0), (-1, 0), 12),
                             ("BOTTOMPADDING", (0, -1), (-1, -1), 14)]))  # fmt: skip
    return box


def _subscores(ctx: Ctx) -> Table:
    _, s, lv = ctx.t.gettext, ctx.s, ctx.view.levels
    rows = [ctx.head([_("Part"), _("Points"), _("Maximum")], 1)]
    for sub in lv.subscores:
        rows.append([Paragraph(ctx.tr(sub.dimension.title), s.cell),
                     Paragraph(s.bold(number(sub.points)), s.cell_num),
                     Paragraph(number(sub.maximum), s.cell_num)])  # fmt: skip
    rows.append([Paragraph(s.bold(ctx.u(_("Score S"))), s.cell),
                 Paragraph(s.bold(number(lv.total)), s.cell_num), Paragraph("100", s.cell_num)])  # fmt: skip
    table = ctx.table(rows, [CONTENT_W * 0.5, CONTENT_W * 0.25, CONTENT_W * 0.25])
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.9, BRAND)]))
    return table


def summary(ctx: Ctx) -> list:
    """The level, its meaning and the ladder; S beside its parts' maxima; the rank sentences."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    lv = view.levels
    out: list = [s.heading(ctx.u(_("Executive summary")), s.h1), note_box(ctx), Spacer(1, 8)]
    top = ctx.grid(
        [[[Paragraph(ctx.u(_("Digitalisation level (estimate)")), s.big_label),
           s.heading(ctx.tr(lv.level.label), s.big)],
          [Paragraph(ctx.u(_("Score S (the sum of points)")), s.big_label),
           Paragraph(total_markup(ctx), s.big)]]],
        colWidths=[CONTENT_W * 0.5, CONTENT_W * 0.5],
    )  # fmt: skip
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    out += [
        top,
        Spacer(1, 6),
        ladder(ctx),
        Spacer(1, 8),
        Paragraph(ctx.tr(lv.level.meaning), s.body),
    ]
    for sentence in ahead_sentences(view, ctx.lang):
        out.append(Paragraph(s.bold(ctx.u(_(sentence.message, **sentence.params))), s.body))
    out += [KeepTogether([Paragraph(ctx.u(_("Score S by part")), s.h3), _subscores(ctx)])]
    return out


def _level_cell(ctx: Ctx, level: int) -> Paragraph:
    _ = ctx.t.gettext
    colour = "#ffffff" if level >= 3 else "#1f2933"
    text = f"L{level}" if level else ctx.u(_("Below L1"))
    return Paragraph(f'<font color="{colour}">{text}</font>', ctx.s.centered)


def scenarios(ctx: Ctx) -> list:
    """The rated scenarios by group (level, 约束性 mark) and the counts at each level."""
    _, s, lv = ctx.t.gettext, ctx.s, ctx.view.levels
    q = ctx.view.questionnaire
    intro = _(
        "Each scenario is rated against the official level 1 to 4 descriptions. Every level "
        "condition asks for a number of scenarios at a level or above, and for some of them to be "
        "constrained (约束性) scenarios; a constrained scenario counts towards both numbers."
    )
    counts = [ctx.u(_("At L%(level)s or above: %(count)s (%(constrained)s constrained)",
                      level=n, count=lv.counts[n][0], constrained=lv.counts[n][1]))
              for n in (1, 2, 3, 4)]  # fmt: skip
    rows = [ctx.head([_("Scenario"), _("Constrained"), _("Level")], 3)]
    commands: list = []
    for dim, group in lv.groups:
        commands += [("SPAN", (0, len(rows)), (-1, len(rows))),
                     ("BACKGROUND", (0, len(rows)), (-1, len(rows)), WASH)]  # fmt: skip
        title = ctx.tr(dim.title).split("·")[-1].strip()
        rows.append([Paragraph(s.bold(title), s.cell), "", ""])
        for row in group:
            mark = (
                f'<font color="#b45309">{ctx.u(_("Constrained"))}</font>' if row.constrained else ""
            )
            commands.append(("BACKGROUND", (2, len(rows)), (2, len(rows)),
                             colors.HexColor(LEVEL_FILL[row.level])))  # fmt: skip
            rows.append([Paragraph(ctx.tr(row.question.text), s.cell),
                         Paragraph(mark, s.cell), _level_cell(ctx, row.level)])  # fmt: skip
    commands += [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("LINEAFTER", (2, 1), (2, -1), 0.35, RULE)]  # fmt: skip
    table = ctx.table(rows, [CONTENT_W * 0.55, CONTENT_W * 0.22, CONTENT_W * 0.23], extra=commands)
    title = _("Digital operations: %(n)s business scenarios", n=len(q.scenarios))
    # The grid fits on one page: keep it whole rather than split a group across pages.
    return [
        KeepTogether([
            s.heading(ctx.u(title), s.h2),
            Paragraph(ctx.u(intro), s.muted),
            Paragraph(ctx.dot.join(counts), s.small),
            Spacer(1, 4),
            table,
        ])
    ]  # fmt: skip


def progress(ctx: Ctx) -> list:
    """Progress since the previous assessment of the same version, in exact points."""
    view = ctx.view
    if not (view.progress or view.other_version):
        return []
    _, s, lv = ctx.t.gettext, ctx.s, view.levels
    out: list = [CondPageBreak(60 * mm),
                 s.heading(ctx.u(_("Progress since your previous assessment")), s.h2)]  # fmt: skip
    p = view.progress
    if p:
        before = p.previous_result
        sentence = _(
            "Compared with your assessment of %(when)s (questionnaire version %(old)s, scored the "
            "same way): score S %(before)s → %(after)s, level %(level_before)s → %(level_after)s.",
            when=ctx.date(p.previous.submitted_at),
            old=p.previous.questionnaire_version,
            before=number(before.exact_total),
            after=number(lv.total),
            level_before=view.questionnaire.level(before.stage).label.get(ctx.lang),
            level_after=lv.level.label.get(ctx.lang),
        )
        out.append(Paragraph(ctx.u(sentence), s.body))
        rows = [ctx.head([_("Part"), _("Before"), _("Now"), _("Change in points")], 1)]
        for sub in lv.subscores:
            was = before.dimensions[sub.dimension.id].points
            rows.append([Paragraph(ctx.tr(sub.dimension.title), s.cell),
                         Paragraph(number(was), s.cell_num), Paragraph(number(sub.points), s.cell_num),
                         Paragraph(change(sub.points, was), s.cell_num)])  # fmt: skip
        w = CONTENT_W
        out.append(ctx.table(rows, [w * 0.46, w * 0.18, w * 0.18, w * 0.18]))
    return out + version_note(ctx)


def peers(ctx: Ctx) -> list:
    """How many peers reached each level (and their share), and the rank of S; a group below k
    is suppressed exactly as in the score table of the other reports."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    levels = view.questionnaire.levels
    labels = [_("Peer group"), _("Enterprises"), *(lv.label.get(ctx.lang) for lv in levels),
              _("You are ahead of")]  # fmt: skip
    rows = [ctx.head(labels, 1)]
    for kind in LEVEL_COHORTS:
        c = view.comparisons[kind]
        label = Paragraph(ctx.cohort(c.requested) + fallback_note(ctx, c), s.cell)
        if c.shown and c.n:
            cells = [str(c.n)]
            for lv in levels:
                count = c.stages.get(lv.id, 0)
                cells.append(f'{count}<br/><font size="7" color="#66727f">'
                             f"{100 * count / c.n:.0f}%</font>")  # fmt: skip
            cells.append(pct(c.percentile.get(TOTAL)))
        else:
            cells = ["—"] * (len(levels) + 2)
        rows.append([label, *(Paragraph(v, s.cell_num) for v in cells)])
    w = CONTENT_W
    level_w = w * 0.48 / len(levels)
    intro = _(
        "The number of enterprises at each level (and their share), and the share of them whose "
        "score S is below yours."
    )
    return [
        CondPageBreak(70 * mm),
        s.heading(ctx.u(_("Where you stand among Cixi peers")), s.h2),
        Paragraph(ctx.u(intro), s.muted),
        ctx.table(rows, [w * 0.24, w * 0.12, *([level_w] * len(levels)), w * 0.16]),
    ]
