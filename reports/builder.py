"""The diagnosis report: A4, Platypus, in the user's language. Cover, summary and progress here;
dimension sections, roadmap and method notes in `sections`."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from assessment import enterprise as ent
from assessment.benchmark import TOTAL
from assessment.result_charts import result_figures
from assessment.services.results import ResultView

from . import sections
from .context import Ctx, delta, pct, score
from .fonts import report_fonts
from .i18n import normalise, translator
from .page import Chrome, numbered_canvas
from .styles import (
    BRAND,
    BRAND_LIGHT,
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    RULE,
    WASH,
    styles_for,
)

DEFAULT_TIMEZONE = "Asia/Shanghai"


def chart_labels(ctx: Ctx) -> dict[str, str]:
    """The chart texts (the same msgids as the result page's charts)."""
    _ = ctx.t.gettext
    return {
        "me": _("Your enterprise"),
        "city": _("Cixi average"),
        "industry": _("Industry average"),
        "band": _("Peers P25–P75"),
        "median": _("Peer median"),
        "radar_title": _(
            "Dimension scores: your enterprise against Cixi and your industry (0–100)"
        ),
        "bands_title": _("Your dimension scores against the middle half of your peers"),
    }


def cover(ctx: Ctx) -> list:
    """Title page: who, which questionnaire, when; the headline numbers."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    a, q = view.assessment, view.questionnaire
    company = a.enterprise
    facts = [
        (_("Unified social credit code (统一社会信用代码)"), ctx.u(company.uscc)),
        (_("Town / subdistrict"), ctx.u(ent.town_label(a.town or company.town, ctx.lang))),
        (_("Industry"), ctx.u(ent.industry_label(a.industry or company.industry, ctx.lang))),
        (_("Size class"), ctx.u(ent.size_label(a.size_class or company.size_class, ctx.lang))),
        (_("Questionnaire"), f"{ctx.tr(q.title)} · "
            + ctx.u(_("questionnaire version %(v)s", v=a.questionnaire_version))),
        (_("Submitted"), ctx.date(a.submitted_at)),
        (_("Report date"), ctx.date(ctx.generated_at)),
    ]  # fmt: skip
    rows = [[Paragraph(ctx.u(k), s.cell_head), Paragraph(v, s.cell)] for k, v in facts]
    fact_table = ctx.table(rows, [48 * mm, CONTENT_W - 48 * mm], header=False)
    city = view.comparisons["city"]
    headline = [
        [
            Paragraph(ctx.u(_("Total score")), s.big_label),
            Paragraph(ctx.u(_("Stage / tier")), s.big_label),
            Paragraph(ctx.u(_("Ahead of, in Cixi")), s.big_label),
        ],
        [
            Paragraph(
                f'{score(view.result.total)}<font size="12" color="#66727f"> /100</font>', s.big
            ),
            Paragraph(ctx.tr(view.level.label) if view.level else "—", s.stage),
            Paragraph(pct(city.percentile.get(TOTAL)) if city.shown else "—", s.stage),
        ],
    ]
    box = Table(headline, colWidths=[CONTENT_W * 0.36, CONTENT_W * 0.34, CONTENT_W * 0.30])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT),
                ("LINEABOVE", (0, 0), (-1, 0), 2, BRAND),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, 0), 12),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 14),
            ]
        )
    )
    return [
        Spacer(1, 18 * mm),
        Paragraph(ctx.u(_("Cixi Enterprise Digital Maturity Self-Assessment")), s.kicker),
        s.heading(ctx.u(_("Digital maturity diagnosis report")), s.title),
        Paragraph(ctx.tr(q.title), s.h3),
        Spacer(1, 14 * mm),
        s.heading(ctx.u(company.name), s.cover_name),
        Spacer(1, 4 * mm),
        fact_table,
        Spacer(1, 12 * mm),
        box,
        Spacer(1, 10 * mm),
        Paragraph(
            ctx.u(
                _(
                    "Scores are a self-assessment based on your own answers; they are not an "
                    "official certification."
                )
            ),
            s.muted,
        ),
        PageBreak(),
    ]


def _ahead_sentences(ctx: Ctx) -> list[str]:
    _, view = ctx.t.gettext, ctx.view
    city, industry = view.comparisons["city"], view.comparisons["industry"]
    out = []
    if city.shown and city.percentile.get(TOTAL) is not None:
        out.append(
            _(
                "You are ahead of %(pct)s of assessed enterprises in Cixi.",
                pct=pct(city.percentile[TOTAL]),
            )
        )
    if industry.shown and industry.shown.kind != "city":
        if industry.percentile.get(TOTAL) is not None:
            name = ent.industry_label(industry.shown.industry, ctx.lang)
            out.append(
                _(
                    "You are ahead of %(pct)s of %(industry)s enterprises in Cixi.",
                    pct=pct(industry.percentile[TOTAL]),
                    industry=name,
                )
            )
    elif city.shown:
        out.append(
            _(
                "Fewer than %(k)s peers have submitted in your industry, so it is not compared "
                "separately.",
                k=view.min_cohort,
            )
        )
    if not city.shown:
        out.append(_("Not enough enterprises have submitted yet to compare you with peers."))
    return [ctx.u(text) for text in out]


def _ladder(ctx: Ctx):
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
    table = Table([cells], colWidths=[CONTENT_W / len(levels)] * len(levels))
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
    top = Table([[total, stage]], colWidths=[CONTENT_W * 0.36, CONTENT_W * 0.64])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    out += [top, Spacer(1, 6), _ladder(ctx), Spacer(1, 8)]
    if view.level:
        out.append(Paragraph(ctx.tr(view.level.meaning), s.body))
    for sentence in _ahead_sentences(ctx):
        out.append(Paragraph(s.bold(sentence), s.body))
    out.append(CondPageBreak(120 * mm))
    out.append(s.heading(ctx.u(_("Where you stand among Cixi peers")), s.h2))
    caption = _(
        "Scale 0–100 on every axis. Averages are means of the latest assessment of each enterprise."
    )
    if not view.comparisons["city"].shown:
        caption = _(
            "Scale 0–100 on every axis. No peer averages yet: too few enterprises have submitted."
        )
    radar_w = CONTENT_W * 0.58
    side = Table(
        [[[ctx.figure(figures["radar"], radar_w), Paragraph(ctx.u(caption), s.muted)],
          sections.dimension_overview(ctx, CONTENT_W - radar_w - 10)]],
        colWidths=[radar_w, CONTENT_W - radar_w],
    )  # fmt: skip
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, -1), 10),
                              ("RIGHTPADDING", (1, 0), (1, -1), 0)]))  # fmt: skip
    out.append(side)
    out += sections.peer_table(ctx)
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
            "Compared with your assessment of %(when)s (same questionnaire version): total "
            "%(before)s → %(after)s, stage %(stage_before)s → %(stage_after)s.",
            when=ctx.date(p.previous.submitted_at),
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
    if view.other_version:
        note = _(
            "Your assessment of %(when)s used questionnaire version %(old)s. Questions and scoring "
            "differ between versions, so it is not compared here.",
            when=ctx.date(view.other_version.submitted_at),
            old=view.other_version.questionnaire_version,
        )
        out.append(Spacer(1, 4))
        out.append(Paragraph(ctx.u(note), s.muted))
    return out


def story(ctx: Ctx) -> list:
    """Every flowable of the report, in reading order."""
    figures = result_figures(ctx.view, ctx.lang, chart_labels(ctx))
    return [
        *cover(ctx),
        *summary(ctx, figures),
        *progress(ctx),
        PageBreak(),
        *sections.dimensions(ctx),
        PageBreak(),
        *sections.roadmap(ctx),
        CondPageBreak(90 * mm),
        *sections.method(ctx),
    ]


def build_report(
    view: ResultView,
    lang: str,
    *,
    generated_at: datetime | None = None,
    font_path: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> bytes:
    """The PDF diagnosis report of one submitted assessment, in `lang` ('zh' or 'en').

    `generated_at` (default: now; naive means UTC) is printed as the report date; `font_path` is
    the configured REPORT_FONT (system fonts and then STSong-Light are the fallbacks).
    """
    lang = normalise(lang)
    fonts = report_fonts(font_path)
    ctx = Ctx(
        view=view,
        lang=lang,
        t=translator(lang),
        s=styles_for(fonts, lang),
        fonts=fonts,
        tz=ZoneInfo(timezone),
        generated_at=generated_at or datetime.now(UTC),
    )
    _ = ctx.t.gettext
    company = view.assessment.enterprise
    product = _("Cixi Enterprise Digital Maturity Self-Assessment")
    title = _("Digital maturity diagnosis report")
    chrome = Chrome(
        product=product,
        enterprise=company.name,
        left_footer=f"{title} · {view.questionnaire.title.get(lang)} "
        f"{view.assessment.questionnaire_version} · {ctx.date(ctx.generated_at)}",
        page_label=lambda n, total: f"{n} / {total}",
        styles=ctx.s,
    )
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{title} · {company.name}",
        author=product,
        subject=view.questionnaire.title.get(lang),
        creator=product,
        lang="zh-CN" if lang == "zh" else "en",
    )
    # No frame padding: text, tables and the header rule share one left and right edge.
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story(ctx), canvasmaker=numbered_canvas(chrome, fonts.regular))
    return buffer.getvalue()
