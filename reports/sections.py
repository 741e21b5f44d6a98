"""Report sections: peer table, one section per dimension, the roadmap, method and data notes."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.benchmark import COHORT_KINDS, TOTAL
from assessment.charts import BandRow, band_bars
from assessment.services.results import step_answer_labels

from .context import Ctx, pct, score
from .styles import BRAND, BRAND_LIGHT, CONTENT_W, GOOD, WASH

EFFORTS = ("low", "medium", "high")


def _head(ctx: Ctx, labels: list[str], numeric_from: int) -> list[Paragraph]:
    s = ctx.s
    return [
        Paragraph(ctx.u(label), s.cell_head_num if i >= numeric_from else s.cell_head)
        for i, label in enumerate(labels)
    ]


def _fallback_note(ctx: Ctx, comparison) -> str:
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
    rows = [
        _head(
            ctx,
            [_("Peer group"), _("Enterprises"), _("Mean"), _("Median"), "P25–P75",
             _("You are ahead of")],
            1,
        )
    ]  # fmt: skip
    for kind in COHORT_KINDS:
        c = view.comparisons[kind]
        label = Paragraph(ctx.cohort(c.requested) + _fallback_note(ctx, c), s.cell)
        if c.shown:
            st = c.stats[TOTAL]
            values = [str(c.n), score(st.mean), score(st.median),
                      f"{score(st.p25)}–{score(st.p75)}", pct(c.percentile.get(TOTAL))]  # fmt: skip
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
    rows = [_head(ctx, [_("Dimension"), _("You"), _("Peer median"), _("You are ahead of")], 1)]
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
    table = ctx.table(rows, [width * 0.43, width * 0.17, width * 0.2, width * 0.2])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.9, BRAND)]))  # fmt: skip
    return table


def _answers_table(ctx: Ctx, items, with_points: bool) -> Table:
    _, s = ctx.t.gettext, ctx.s
    head = [_("Question"), _("Your answer")] + ([_("Points")] if with_points else [])
    rows = [_head(ctx, head, 2)]
    for item in items:
        row = [Paragraph(ctx.tr(item.question.text), s.cell),
               Paragraph(ctx.u(item.answer or _("Not answered")), s.cell)]  # fmt: skip
        if with_points:
            points = _(
                "%(points)s of %(max)s points",
                points=f"{item.result.points:g}",
                max=f"{item.result.max_points:g}",
            )
            row.append(Paragraph(ctx.u(points), s.cell_num))
        rows.append(row)
    w = CONTENT_W
    widths = [w * 0.50, w * 0.30, w * 0.20] if with_points else [w * 0.55, w * 0.45]
    return ctx.table(rows, widths)


def _dimension_heading(ctx: Ctx, number: int, item) -> Table:
    s = ctx.s
    title = s.heading(f"{number}. {ctx.tr(item.dimension.title)}", s.h2)
    value = Paragraph(
        f'<font color="#0b5cab" size="15">{score(item.score)}</font>'
        f'<font color="#66727f" size="8"> /100</font>',
        s.cell_num,
    )
    table = Table([[title, value]], colWidths=[CONTENT_W - 90, 90])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.9, BRAND)]))  # fmt: skip
    return table


def _dimension_peers(ctx: Ctx, item) -> list:
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    industry, city = view.comparisons["industry"], view.comparisons["city"]
    peers = industry if industry.shown else city
    if not peers.shown:
        return []
    did = item.dimension.id
    st, cs = peers.stats.get(did), city.stats.get(did)
    row = BandRow(item.dimension.title.get(ctx.lang), item.score,
                  *((st.p25, st.median, st.p75) if st else (None, None, None)))  # fmt: skip
    labels = (_("Your enterprise"), _("Peers P25–P75"), _("Peer median"))
    fig = band_bars([row], legend=labels)  # the page's width, scaled to the column
    facts = ctx.u(
        _(
            "Compared with %(cohort)s: median %(median)s, middle half %(p25)s–%(p75)s, Cixi "
            "median %(city)s; you are ahead of %(pct)s."
        )
    ) % {
        "cohort": ctx.cohort(peers.shown),
        "median": score(st.median) if st else "—",
        "p25": score(st.p25) if st else "—",
        "p75": score(st.p75) if st else "—",
        "city": score(cs.median) if cs else "—",
        "pct": pct(peers.percentile.get(did)),
    }
    return [ctx.figure(fig, CONTENT_W), Paragraph(facts, s.muted)]


def _step_ranks(ctx: Ctx, dimension_id: str) -> list[int]:
    return [i for i, step in enumerate(ctx.view.steps, 1) if step.dimension == dimension_id]


def dimensions(ctx: Ctx) -> list:
    """One section per dimension: score against peers, strengths, the costliest answers."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    answers = view.assessment.answers or {}
    out: list = [s.heading(ctx.u(_("Score by dimension and why")), s.h1)]
    for number, item in enumerate(view.dimensions, 1):
        head = [Spacer(1, 6), _dimension_heading(ctx, number, item), Spacer(1, 4)]
        if item.dimension.description.get(ctx.lang):
            head.append(Paragraph(ctx.tr(item.dimension.description), s.muted))
        if item.score is not None:
            head += _dimension_peers(ctx, item)
        out.append(CondPageBreak(55 * mm))
        out.append(KeepTogether(head))
        if item.score is None:
            out.append(Paragraph(ctx.u(_("Every question of this dimension was marked not "
                                         "applicable; it does not count in your total.")), s.body))  # fmt: skip
        if item.strengths:
            out.append(KeepTogether([Paragraph(ctx.u(_("What you already do well")), s.h3),
                                     _answers_table(ctx, item.strengths, False)]))  # fmt: skip
        if item.costly:
            out.append(KeepTogether([Paragraph(ctx.u(_("Answers that cost the most points")), s.h3),
                                     _answers_table(ctx, item.costly, True)]))  # fmt: skip
        elif item.score is not None:
            out.append(Paragraph(ctx.u(_("No points lost in this dimension.")), s.body))
        ranks = _step_ranks(ctx, item.dimension.id)
        if ranks:
            steps = ("、" if ctx.lang == "zh" else ", ").join(_("#%(rank)s", rank=r) for r in ranks)
            out.append(Spacer(1, 3))
            out.append(Paragraph(s.bold(ctx.u(_("Roadmap steps for this dimension: %(steps)s",
                                                steps=steps))), s.small))  # fmt: skip
        notes = [(q, answers.get(q.id)) for q in view.questionnaire.questions
                 if q.type == "text" and q.dimension == item.dimension.id and answers.get(q.id)]  # fmt: skip
        if notes:
            out.append(Paragraph(ctx.u(_("Your notes")), s.h3))
            for question, text in notes:
                out.append(Paragraph(ctx.tr(question.text), s.muted))
                out.append(Paragraph(ctx.u(text), s.body))
    return out


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
    meta = " · ".join(
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
        Paragraph(f"{ctx.u(_('Why it matters:'))}{'' if ctx.lang == 'zh' else ' '}"
                  f"{ctx.tr(rec.why)}", s.muted),
        Paragraph(ctx.u(move), s.muted),
    ]
    badge = Paragraph(f'<font size="11" color="#0b5cab">{rank}</font>', s.centered)
    # splitInRow: a long step may continue on the next page instead of leaving a gap.
    table = Table([[badge, content]], colWidths=[28, CONTENT_W - 28], splitInRow=1)
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


def _projections(ctx: Ctx) -> Table:
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    q, now = view.questionnaire, view.result
    head = [Paragraph(ctx.u(_("Now")), s.big_label)]
    values = [Paragraph(f'<font size="18" color="#0b5cab">{score(now.total)}</font>', s.body)]
    stages = [Paragraph(ctx.tr(view.level.label) if view.level else "—", s.small)]
    for n, proj in sorted(view.projections.items()):
        level = q.level(proj.stage)
        head.append(Paragraph(ctx.u(_("After the top %(n)s steps", n=n)), s.big_label))
        gain = proj.total - now.total
        values.append(Paragraph(f'<font size="18" color="#0b5cab">{score(proj.total)}</font> '
                                f'<font color="#1c7c54">(+{gain:.1f})</font>', s.body))  # fmt: skip
        stages.append(Paragraph(ctx.tr(level.label) if level else "—", s.small))
    widths = [CONTENT_W / len(head)] * len(head)
    table = Table([head, values, stages], colWidths=widths)
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
        box = Table([[Paragraph(ctx.u(notice), s.body)]], colWidths=[CONTENT_W])
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
        out.append(KeepTogether([s.heading(ctx.u(label), s.h2), blocks[0]]))
        out += blocks[1:]
    return out


def method(ctx: Ctx) -> list:
    """How the score is computed, which peers were used (n), window, k, version, disclaimer."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    a, q = view.assessment, view.questionnaire
    out: list = [s.heading(ctx.u(_("Method and data notes")), s.h1),
                 Paragraph(ctx.u(_("How the score is computed")), s.h3)]  # fmt: skip
    for part in q.method.get(ctx.lang).split("\n"):
        if part.strip():
            out.append(Paragraph(ctx.u(part.strip()), s.body))
    out.append(Paragraph(ctx.u(_("Peer statistics")), s.h3))
    peers = _(
        "Peer statistics use the latest submitted assessment of each enterprise with the same "
        "questionnaire version (%(version)s) within the last %(months)s months. A peer group is only "
        "shown when it has at least %(k)s other enterprises; otherwise the next wider group is used.",
        version=a.questionnaire_version,
        months=view.window_months,
        k=view.min_cohort,
    )
    out.append(Paragraph(ctx.u(peers), s.body))
    rows = [_head(ctx, [_("Peer group"), _("Group used"), _("Enterprises")], 2)]
    for kind in COHORT_KINDS:
        c = view.comparisons[kind]
        shown = ctx.cohort(c.shown) if c.shown else ctx.u(_("Not shown (too few peers)"))
        rows.append([Paragraph(ctx.cohort(c.requested), s.cell), Paragraph(shown, s.cell),
                     Paragraph(str(c.n) if c.shown else "—", s.cell_num)])  # fmt: skip
    w = CONTENT_W
    out.append(KeepTogether(ctx.table(rows, [w * 0.42, w * 0.42, w * 0.16])))
    about = _(
        "This report was generated on %(date)s from the answers submitted on %(submitted)s "
        "(questionnaire %(title)s, version %(version)s). It is a self-assessment, not a "
        "certification, an audit or an official rating: the scores are only as accurate as the "
        "answers. Peer statistics change as more enterprises submit.",
        date=ctx.date(ctx.generated_at),
        submitted=ctx.date(a.submitted_at),
        title=q.title.get(ctx.lang),
        version=a.questionnaire_version,
    )
    out += [Paragraph(ctx.u(_("About this report")), s.h3), Paragraph(ctx.u(about), s.body)]
    return out
