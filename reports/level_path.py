"""The MIIT report's path to the next level: every missing condition in plain words, the cheapest
plan (steps with effort, horizon, action and the evidence an assessor will ask for), the engine's
projection after it, and the cheapest plan to the level after that."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.core.planner import Plan
from assessment.core.questionnaire.model import Recommendation
from reports.context import Ctx
from reports.levels import change, number
from reports.roadmap import step_card
from reports.styles import BRAND_LIGHT, CONTENT_W, GOOD, WASH


def _labels(ctx: Ctx) -> tuple[dict, dict]:
    _ = ctx.t.gettext
    efforts = {"low": _("Effort: low"), "medium": _("Effort: medium"), "high": _("Effort: high")}
    horizons = {3: _("Within 3 months"), 6: _("Within 6 months"), 12: _("Within 12 months")}
    return efforts, horizons


def _space(ctx: Ctx) -> str:
    """The space after a label's colon: none after a full-width "："."""
    return "" if ctx.lang == "zh" else " "


def _meta(ctx: Ctx, rec: Recommendation) -> str:
    """Effort · horizon · (a scenario step) the scenario and its move, as markup."""
    efforts, horizons = _labels(ctx)
    question = ctx.view.questionnaire.question(rec.question)
    parts = [ctx.u(efforts.get(rec.effort, rec.effort)),
             ctx.u(horizons.get(rec.horizon, str(rec.horizon)))]  # fmt: skip
    if question.kind.rated:  # a scenario step raises it by one level
        parts.append(f"{ctx.tr(question.text)} L{rec.target - 1} → L{rec.target}")
    return ctx.dot.join(parts)


def _step_block(ctx: Ctx, rank: int, rec: Recommendation) -> Table:
    _, s = ctx.t.gettext, ctx.s
    question = ctx.view.questionnaire.question(rec.question)
    content = [s.heading(ctx.tr(rec.title), s.h3), Paragraph(_meta(ctx, rec), s.muted)]
    if not question.kind.rated:
        content.append(
            Paragraph(ctx.u(_("Question:")) + _space(ctx) + ctx.tr(question.text), s.muted)
        )
    content.append(Paragraph(ctx.tr(rec.action), s.body))
    if rec.evidence.zh:
        label = s.bold(ctx.u(_("Evidence an assessor will ask for:")))
        content.append(Paragraph(f"{label}{_space(ctx)}{ctx.tr(rec.evidence)}", s.small))
    return step_card(ctx, rank, content)


def _projections(ctx: Ctx) -> Table:
    """Now, after the plan to the next level and after the plan to the one after (the engine's
    re-scored S and level)."""
    _, s, lv = ctx.t.gettext, ctx.s, ctx.view.levels
    q = ctx.view.questionnaire
    columns = [(_("Now"), number(lv.total), "", lv.level)]
    for level, plan in ((lv.next_level, lv.plan), (lv.after_level, lv.after_plan)):
        if level and plan:
            projected = plan.projected
            columns.append((_("After the plan to %(level)s", level=level.label.get(ctx.lang)),
                            number(projected.exact_total),
                            f" ({change(projected.exact_total, lv.total)})",
                            q.level(projected.stage)))  # fmt: skip
    head = [Paragraph(ctx.u(label), s.big_label) for label, _v, _d, _l in columns]
    big = ParagraphStyle("projection", parent=s.body, leading=24)
    values = [Paragraph(f'<font size="18" color="#0b5cab">{v}</font>{d}', big)
              for _l, v, d, _lv in columns]  # fmt: skip
    stages = [Paragraph(s.bold(ctx.tr(level.label)), s.small) for *_x, level in columns]
    table = ctx.grid([head, values, stages], colWidths=[CONTENT_W / len(columns)] * len(columns))
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT),
                               ("LINEBEFORE", (1, 0), (-1, -1), 1.5, colors.white),
                               ("LEFTPADDING", (0, 0), (-1, -1), 10),
                               ("TOPPADDING", (0, 0), (-1, 0), 8),
                               ("BOTTOMPADDING", (0, -1), (-1, -1), 9)]))  # fmt: skip
    return table


def _compact(ctx: Ctx, steps: tuple[Recommendation, ...], first: int) -> Table:
    """The steps of the second plan as a table: number, title with effort and horizon, evidence."""
    _, s = ctx.t.gettext, ctx.s
    rows = [ctx.head(["#", _("Step"), _("Evidence to have ready")], 3)]
    for n, rec in enumerate(steps, first):
        rows.append([Paragraph(str(n), s.cell),
                     [Paragraph(s.bold(ctx.tr(rec.title)), s.cell), Paragraph(_meta(ctx, rec), s.muted)],
                     Paragraph(ctx.tr(rec.evidence), s.cell)])  # fmt: skip
    w = CONTENT_W
    return ctx.table(rows, [w * 0.06, w * 0.52, w * 0.42])


def _no_plan(ctx: Ctx, level) -> Paragraph:
    _ = ctx.t.gettext
    text = _("The steps this questionnaire offers cannot reach %(level)s from your answers.",
             level=level.label.get(ctx.lang))  # fmt: skip
    return Paragraph(ctx.u(text), ctx.s.body)


def _plan_intro(ctx: Ctx, plan: Plan) -> Paragraph:
    text = ctx.t.ngettext(
        "%(num)s step, effort %(effort)s (low 1, medium 2, high 3): the least effort that meets "
        "every condition above. The projection re-scores your answers with the steps applied.",
        "%(num)s steps, effort %(effort)s (low 1, medium 2, high 3): the least effort that meets "
        "every condition above. The projection re-scores your answers with the steps applied.",
        len(plan.steps),
        effort=plan.effort,
    )
    return Paragraph(ctx.u(text), ctx.s.body)


def path(ctx: Ctx) -> list:
    """What the next level still needs, the cheapest plan there, and the plan after it."""
    _, s, lv = ctx.t.gettext, ctx.s, ctx.view.levels
    if lv.next_level is None:
        notice = _(
            "You meet every condition of the highest level. Keep the evidence for your answers "
            "ready for an on-site rating, and re-assess once a year."
        )
        box = ctx.grid([[Paragraph(ctx.u(notice), s.body)]], colWidths=[CONTENT_W])
        box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), WASH),
                                 ("LINEBEFORE", (0, 0), (0, -1), 3, GOOD),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 12),
                                 ("TOPPADDING", (0, 0), (-1, -1), 10),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))  # fmt: skip
        return [s.heading(ctx.u(_("The path to the next level")), s.h1), box]
    target = lv.next_level.label.get(ctx.lang)
    out: list = [s.heading(ctx.u(_("The path to %(level)s", level=target)), s.h1),
                 Paragraph(ctx.u(_("What is still missing")), s.h3)]  # fmt: skip
    bullet = ParagraphStyle("gap", parent=s.body, leftIndent=10, bulletIndent=0)
    for gap in lv.gaps:
        out.append(Paragraph(ctx.u(gap.message.render(ctx.t.gettext, ctx.lang)), bullet,
                             bulletText="•" if ctx.fonts.embedded else "・"))  # fmt: skip
    out += [Spacer(1, 4), _projections(ctx), Spacer(1, 4)]
    out.append(s.heading(ctx.u(_("The cheapest plan to %(level)s", level=target)), s.h2))
    if lv.plan:
        blocks = [_step_block(ctx, n, rec) for n, rec in enumerate(lv.plan.steps, 1)]
        out.append(KeepTogether([_plan_intro(ctx, lv.plan), *blocks[:1]]))
        out += [KeepTogether([block]) for block in blocks[1:]]
    else:
        out.append(_no_plan(ctx, lv.next_level))
    if lv.after_level:
        after = lv.after_level.label.get(ctx.lang)
        out += [
            CondPageBreak(50 * mm),
            s.heading(ctx.u(_("Then on to %(level)s", level=after)), s.h2),
        ]
        if lv.after_plan:
            done = {rec.id for rec in lv.plan.steps} if lv.plan else set()
            extra = tuple(rec for rec in lv.after_plan.steps if rec.id not in done)
            intro = _("The cheapest plan from your answers to %(level)s has effort %(effort)s. "
                      "Besides the steps above it needs:", level=after, effort=lv.after_plan.effort)  # fmt: skip
            out += [Paragraph(ctx.u(intro), s.body), _compact(ctx, extra, 1)]
        else:
            out.append(_no_plan(ctx, lv.after_level))
    return out
