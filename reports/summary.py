"""The executive summary: total, stage, percentiles, radar and dimension overview, peer groups,
the band chart, and progress since the previous assessment."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.core.cohorts import COHORT_KINDS, TOTAL
from assessment.core.headline import ahead_sentences
from reports.context import Ctx, delta, pct, score
from reports.styles import BRAND, CONTENT_W, RULE, WASH


def ladder(ctx: Ctx):
    """Every stage or level in a row, the reached one highlighted."""
    s, view = ctx.s, ctx.view
    levels = view.questionnaire.levels
    current = [lv.id for lv in levels].index(view.level.id) if view.level in levels else -1
    cells = [
        Paragraph(
            f'<font color="{"#ffffff" if i == current else "#33404d"}">{ctx.tr(lv.label)}</font>',
            s.centered,
        )
        for i, lv in enumerate(levels)
    ]
    table = ctx.grid([cells], colWidths=[CONTENT_W / len(levels)] * len(levels))
    commands = [
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, -1), WASH),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if current >= 0:
        commands.append(("BACKGROUND", (current, 0), (current, 0), BRAND))
    table.setStyle(TableStyle(commands))
    return table


def summary(ctx: Ctx, figures: dict) -> list:
    """Executive summary: total, stage and its meaning, percentiles, radar, peer groups."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    out: list = [s.heading(ctx.u(_("Executive summary")), s.h1), Spacer(1, 4)]
    total = [
        Paragraph(ctx.u(_("Total score")), s.big_label),
        Paragraph(f'{score(view.result.total)}<font size="12" color="#66727f"> /100</font>', s.big),
    ]
    stage = [
        Paragraph(ctx.u(_("Stage / tier")), s.big_label),
        s.heading(ctx.tr(view.level.label) if view.level else "—", s.stage),
    ]
    top = ctx.grid([[total, stage]], colWidths=[CONTENT_W * 0.36, CONTENT_W * 0.64])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    out += [top, Spacer(1, 6), ladder(ctx), Spacer(1, 8)]
    if view.level:
        out.append(Paragraph(ctx.tr(view.level.meaning), s.body))
    for sentence in ahead_sentences(view, ctx.lang):  # the result page shows the same ones
        text = ctx.u(_(sentence.message, **sentence.params))
        out.append(Paragraph(s.bold(text), s.body))
    out.append(CondPageBreak(120 * mm))
    out.append(s.heading(ctx.u(_("Where you stand among Cixi peers")), s.h2))
    caption = _(
        "Scale 0–100 on every axis. Averages are means of the latest assessment of each enterprise."
    )
    if not view.comparisons["city"].shown:
        caption = _(
            "Scale 0–100 on every axis. No peer averages yet: too few enterprises have submitted."
        )
    radar_w = CONTENT_W * 0.56
    side = ctx.grid(
        [[[ctx.figure(figures["radar"], radar_w), Paragraph(ctx.u(caption), s.muted)],
          dimension_overview(ctx, CONTENT_W - radar_w - 10)]],
        colWidths=[radar_w, CONTENT_W - radar_w],
    )  # fmt: skip
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, -1), 10),
                              ("RIGHTPADDING", (1, 0), (1, -1), 0)]))  # fmt: skip
    out.append(side)
    out += peer_table(ctx)
    if "bands" in figures:
        peers = (
            view.comparisons["industry"]
            if view.comparisons["industry"].shown
            else view.comparisons["city"]
        )
        caption = ctx.u(
            _(
                "Blue bar: your score. Light band: the middle half of %(cohort)s (P25–P75). "
                "Black tick: their median."
            )
        ) % {"cohort": ctx.cohort(peers.shown)}
        title = ctx.u(_("Each dimension against %(cohort)s")) % {"cohort": ctx.cohort(peers.shown)}
        out.append(KeepTogether([s.heading(title, s.h2), ctx.figure(figures["bands"], CONTENT_W),
                                 Paragraph(caption, s.muted)]))  # fmt: skip
    return out


def progress(ctx: Ctx) -> list:
    """Progress since the previous assessment of the same version, and the version note."""
    view = ctx.view
    if not (view.progress or view.other_version):
        return []
    _, s = ctx.t.gettext, ctx.s
    out: list = [CondPageBreak(70 * mm),
                 s.heading(ctx.u(_("Progress since your previous assessment")), s.h2)]  # fmt: skip
    p = view.progress
    if p:
        q, result = view.questionnaire, view.result
        before = q.level(p.previous_result.stage)
        sentence = _(
            "Compared with your assessment of %(when)s (questionnaire version %(old)s, scored the "
            "same way): total %(before)s → %(after)s, stage %(stage_before)s → %(stage_after)s.",
            when=ctx.date(p.previous.submitted_at),
            old=p.previous.questionnaire_version,
            before=score(p.previous_result.total),
            after=score(result.total),
            stage_before=before.label.get(ctx.lang) if before else p.previous_result.stage,
            stage_after=view.level.label.get(ctx.lang) if view.level else result.stage,
        )
        out.append(Paragraph(f"{ctx.u(sentence)} {delta(p.total_change)}", s.body))
        head = [_("Dimension"), _("Before"), _("Now"), _("Change in points")]
        rows = [[Paragraph(ctx.u(h), s.cell_head if i == 0 else s.cell_head_num)
                 for i, h in enumerate(head)]]  # fmt: skip
        for d in q.dimensions:
            rows.append([
                Paragraph(ctx.tr(d.title), s.cell),
                Paragraph(score(p.previous_result.dimensions[d.id].score), s.cell_num),
                Paragraph(score(result.dimensions[d.id].score), s.cell_num),
                Paragraph(delta(p.dimension_changes.get(d.id)), s.cell_num),
            ])  # fmt: skip
        w = CONTENT_W
        out.append(ctx.table(rows, [w * 0.46, w * 0.18, w * 0.18, w * 0.18]))
    return out + version_note(ctx)


def version_note(ctx: Ctx) -> list:
    """The note on an earlier assessment made with another questionnaire version (not compared)."""
    other = ctx.view.other_version
    if not other:
        return []
    note = ctx.t.gettext(
        "Your assessment of %(when)s used questionnaire version %(old)s. Questions and scoring "
        "differ between versions, so it is not compared here.",
        when=ctx.date(other.submitted_at),
        old=other.questionnaire_version,
    )
    return [Spacer(1, 4), Paragraph(ctx.u(note), ctx.s.muted)]


def fallback_note(ctx: Ctx, comparison) -> str:
    """The small note under a peer group's name: shown for a wider group, or not shown."""
    _ = ctx.t.gettext
    if comparison.shown is None:
        text = _(
            "Fewer than %(k)s peers have submitted: not shown, to protect their data.",
            k=ctx.view.min_cohort,
        )
        return f'<br/><font size="7.5" color="#b45309">{ctx.u(text)}</font>'
    if comparison.fell_back:
        text = ctx.u(_("Fewer than %(k)s peers: shown for %(wider)s instead.")) % {
            "k": ctx.view.min_cohort,
            "wider": ctx.cohort(comparison.shown),
        }
        return f'<br/><font size="7.5" color="#b45309">{text}</font>'
    return ""


def peer_table(ctx: Ctx) -> list:
    """Total score by peer group: n, mean, median, P25–P75 and the percentile rank."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    labels = [_("Peer group"), _("Enterprises"), _("Mean"), _("Median"), f"P25{ctx.dash}P75",
              _("You are ahead of")]  # fmt: skip
    rows = [ctx.head(labels, 1)]
    for kind in COHORT_KINDS:
        c = view.comparisons[kind]
        label = Paragraph(ctx.cohort(c.requested) + fallback_note(ctx, c), s.cell)
        if c.shown:
            st = c.stats[TOTAL]
            values = [str(c.n), score(st.mean), score(st.median),
                      f"{score(st.p25)}{ctx.dash}{score(st.p75)}", pct(c.percentile.get(TOTAL))]  # fmt: skip
        else:
            values = ["—"] * 5
        rows.append([label, *(Paragraph(v, s.cell_num) for v in values)])
    w = CONTENT_W
    widths = [w * 0.37, w * 0.11, w * 0.11, w * 0.11, w * 0.14, w * 0.16]
    return [
        Spacer(1, 6),
        KeepTogether([Paragraph(ctx.u(_("Total score by peer group")), ctx.s.h3),
                      ctx.table(rows, widths)]),
    ]  # fmt: skip


def dimension_overview(ctx: Ctx, width: float) -> Table:
    """Each dimension's score next to the peers' median and the percentile rank (summary page)."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    industry, city = view.comparisons["industry"], view.comparisons["city"]
    peers = industry if industry.shown else city
    rows = [ctx.head([_("Dimension"), _("You"), _("Peer median"), _("You are ahead of")], 1)]
    for d in view.questionnaire.dimensions:
        st = peers.stats.get(d.id) if peers.shown else None
        rows.append([
            Paragraph(ctx.tr(d.title), s.cell),
            Paragraph(score(view.result.dimensions[d.id].score), s.cell_num),
            Paragraph(score(st.median) if st else "—", s.cell_num),
            Paragraph(pct(peers.percentile.get(d.id)) if peers.shown else "—", s.cell_num),
        ])  # fmt: skip
    rows.append([
        Paragraph(s.bold(ctx.u(_("Total score"))), s.cell),
        Paragraph(s.bold(score(view.result.total)), s.cell_num),
        Paragraph(score(peers.stats[TOTAL].median) if peers.shown else "—", s.cell_num),
        Paragraph(pct(peers.percentile.get(TOTAL)) if peers.shown else "—", s.cell_num),
    ])  # fmt: skip
    table = ctx.table(rows, [width * 0.39, width * 0.17, width * 0.24, width * 0.2])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.9, BRAND)]))  # fmt: skip
    return table
