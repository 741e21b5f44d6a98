"""Report sections: one per dimension (score against peers, strengths, costliest answers, notes),
and the method and data notes."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from assessment.core.charts import chart_texts, dimension_bands, peers_of
from assessment.core.cohorts import COHORT_KINDS
from reports.context import Ctx, pct, score
from reports.styles import BRAND, CONTENT_W

EFFORTS = ("low", "medium", "high")


def _answers_table(ctx: Ctx, items, with_points: bool) -> Table:
    _, s = ctx.t.gettext, ctx.s
    head = [_("Question"), _("Your answer")] + ([_("Points")] if with_points else [])
    rows = [ctx.head(head, 2)]
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
    table = ctx.grid([[title, value]], colWidths=[CONTENT_W - 90, 90])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.9, BRAND)]))  # fmt: skip
    return table


def _dimension_peers(ctx: Ctx, item) -> list:
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    fig = dimension_bands(view, item, ctx.lang, chart_texts(_))
    if fig is None:
        return []
    city, peers = view.comparisons["city"], peers_of(view)
    did = item.dimension.id
    st, cs = peers.stats.get(did), city.stats.get(did)
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
    answers = view.subject.answers
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


def method(ctx: Ctx) -> list:
    """How the score is computed, which peers were used (n), window, k, version, disclaimer."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    a, q = view.subject, view.questionnaire
    out: list = [s.heading(ctx.u(_("Method and data notes")), s.h1),
                 Paragraph(ctx.u(_("How the score is computed")), s.h3)]  # fmt: skip
    for part in q.method.get(ctx.lang).split("\n"):
        if part.strip():
            out.append(Paragraph(ctx.u(part.strip()), s.body))
    out.append(Paragraph(ctx.u(_("Peer statistics")), s.h3))
    peers = _(
        "Peer statistics use the latest submitted assessment of each enterprise on this "
        "questionnaire version or one scored the same way (%(version)s) within the last "
        "%(months)s months. A peer group is only shown when it has at least %(k)s other "
        "enterprises; otherwise the next wider group is used.",
        version=" / ".join(view.versions),
        months=view.window_months,
        k=view.min_cohort,
    )
    out.append(Paragraph(ctx.u(peers), s.body))
    rows = [ctx.head([_("Peer group"), _("Group used"), _("Enterprises")], 2)]
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
