"""The roadmap: ranked steps grouped by horizon, with effort, gain and the concrete action, and the
projected score and stage after the top steps."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.core.result_view import step_answer_labels
from reports.context import Ctx, score
from reports.styles import BRAND, BRAND_LIGHT, CONTENT_W, GOOD, WASH


def _step_block(ctx: Ctx, rank: int, step) -> Table:
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    rec = step.recommendation
    labels = step_answer_labels(view, step, ctx.lang, ctx.na)
    effort = {
        "low": _("Effort: low"),
        "medium": _("Effort: medium"),
        "high": _("Effort: high"),
    }.get(rec.effort, rec.effort)
    dimension = view.questionnaire.dimension(step.dimension)
    gain = _("+%(points)s points", points=f"{step.gain:.1f}")
    meta = ctx.dot.join(
        [
            ctx.u(effort),
            ctx.tr(dimension.title) if dimension else "",
            f'<font color="#1c7c54">{ctx.u(gain)}</font>',
        ]
    )
    move = _(
        'From "%(current)s" to "%(target)s".',
        current=labels["current"] or _("Not answered"),
        target=labels["target"],
    )
    content = [
        s.heading(ctx.tr(rec.title), s.h3),
        Paragraph(meta, s.muted),
        Paragraph(ctx.tr(rec.action), s.body),
        Paragraph(
            f"{ctx.u(_('Why it matters:'))}{'' if ctx.lang == 'zh' else ' '}{ctx.tr(rec.why)}",
            s.muted,
        ),
        Paragraph(ctx.u(move), s.muted),
    ]
    return step_card(ctx, rank, content)


def _projections(ctx: Ctx) -> Table:
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    q, now = view.questionnaire, view.result
    head = [Paragraph(ctx.u(_("Now")), s.big_label)]
    values = [Paragraph(f'<font size="18" color="#0b5cab">{score(now.total)}</font>', s.body)]
    stages = [Paragraph(ctx.tr(view.level.label) if view.level else "—", s.small)]
    # "After the top 5 steps" only when there are more than 3 steps to take.
    shown = [n for n in sorted(view.projections) if n <= len(view.steps)] or sorted(
        view.projections
    )[:1]
    for n in shown:
        proj = view.projections[n]
        level = q.level(proj.stage)
        head.append(Paragraph(ctx.u(_("After the top %(n)s steps", n=n)), s.big_label))
        gain = proj.total - now.total
        values.append(Paragraph(f'<font size="18" color="#0b5cab">{score(proj.total)}</font> '
                                f'<font color="#1c7c54">(+{gain:.1f})</font>', s.body))  # fmt: skip
        stages.append(Paragraph(ctx.tr(level.label) if level else "—", s.small))
    widths = [CONTENT_W / len(head)] * len(head)
    table = ctx.grid([head, values, stages], colWidths=widths)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT),
                               ("LINEBEFORE", (1, 0), (-1, -1), 1.5, colors.white),
                               ("LEFTPADDING", (0, 0), (-1, -1), 10),
                               ("TOPPADDING", (0, 0), (-1, 0), 8),
                               ("BOTTOMPADDING", (0, -1), (-1, -1), 9)]))  # fmt: skip
    return table


def roadmap(ctx: Ctx) -> list:
    """Ranked steps grouped by horizon, with effort, gain and action; projections after them."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    out: list = [s.heading(ctx.u(_("Your next steps")), s.h1)]
    if not view.steps:
        notice = _(
            "No recommendation left: every question in this questionnaire is already at its best "
            "answer, or marked not applicable. Keep your practices documented and re-assess once "
            "a year."
        )
        box = ctx.grid([[Paragraph(ctx.u(notice), s.body)]], colWidths=[CONTENT_W])
        box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), WASH),
                                 ("LINEBEFORE", (0, 0), (0, -1), 3, GOOD),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 12),
                                 ("TOPPADDING", (0, 0), (-1, -1), 10),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))  # fmt: skip
        return [*out, box]
    intro = _(
        "Steps are numbered by priority: score gain per unit of effort, raised where you are "
        'below your peers\' median. "Top 3" means steps #1 to #3. Every gain and projection is '
        "computed by re-scoring your answers with the steps applied."
    )
    out += [Paragraph(ctx.u(intro), s.body), Spacer(1, 4), _projections(ctx)]
    ranks = {step.id: i for i, step in enumerate(view.steps, 1)}
    horizons = {3: _("Within 3 months"), 6: _("Within 6 months"), 12: _("Within 12 months")}
    for horizon, steps in sorted(view.groups.items()):
        if not steps:
            continue
        label = horizons.get(horizon, str(horizon))
        blocks = [_step_block(ctx, ranks[step.id], step) for step in steps]
        # Each step stays on one page unless it is longer than a page (then its row splits).
        out.append(KeepTogether([s.heading(ctx.u(label), s.h2), blocks[0]]))
        out += [KeepTogether([block]) for block in blocks[1:]]
    return out


def step_card(ctx: Ctx, rank: int, content: list) -> Table:
    """A numbered step: the rank in a branded margin beside its paragraphs (shared by the
    roadmap and the MIIT plan)."""
    badge = Paragraph(f'<font size="11" color="#0b5cab">{rank}</font>', ctx.s.centered)
    # splitInRow: a long step may continue on the next page instead of leaving a gap.
    table = ctx.grid([[badge, content]], colWidths=[28, CONTENT_W - 28], splitInRow=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, 0), BRAND_LIGHT),
        ("LINEBEFORE", (0, 0), (0, 0), 2, BRAND),
        ("TOPPADDING", (0, 0), (0, 0), 4), ("BOTTOMPADDING", (0, 0), (0, 0), 4),
        ("LEFTPADDING", (0, 0), (0, 0), 1), ("RIGHTPADDING", (0, 0), (0, 0), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 10), ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ("TOPPADDING", (1, 0), (1, 0), 0), ("BOTTOMPADDING", (1, 0), (1, 0), 8),
    ]))  # fmt: skip
    return table
