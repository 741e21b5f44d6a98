"""The diagnosis report: A4, Platypus, in the user's language. The cover and the assembly are here;
the summary (with progress) in `summary`, dimensions and method notes in `sections`, the next steps
in `roadmap`. A points-scored, level-rated questionnaire (MIIT, `view.levels`) has its own sections:
`levels` (level, S, scenarios, peers), `level_path` (what is missing, the plans) and `checklist`."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from assessment.core import enterprise as ent
from assessment.core.charts import chart_texts, result_figures
from assessment.core.cohorts import TOTAL
from assessment.core.result_view import ResultView
from reports import checklist, level_path, levels, linebreak, roadmap, sections, summary
from reports.context import Ctx, pct, score
from reports.fonts import report_fonts
from reports.i18n import normalise, translator
from reports.page import Chrome, numbered_canvas
from reports.styles import (
    BRAND,
    BRAND_LIGHT,
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    styles_for,
)
from reports.text import plain

DEFAULT_TIMEZONE = "Asia/Shanghai"


def configure_reportlab() -> None:
    """Process-wide reportlab settings, called once at start-up (the app factory) and again,
    idempotently, by `build_report` so a report built outside the app looks the same.

    Compressed streams are written as binary, not ASCII85-encoded: files ~20% smaller, and builds
    skip reportlab's pure-Python ASCII85 encoder (PDFs stay valid). Chinese line breaking is
    installed into reportlab's paragraph splitter (`linebreak`).
    """
    rl_config.useA85 = 0
    linebreak.install()


def _facts(ctx: Ctx) -> Table:
    """The cover's table of facts: credit code, town, industry, size, questionnaire, dates."""
    _, s, a, q = ctx.t.gettext, ctx.s, ctx.view.subject, ctx.view.questionnaire
    facts = [
        (_("Unified social credit code (统一社会信用代码)"), ctx.u(a.uscc)),
        (_("Town / subdistrict"), ctx.u(ent.town_label(a.town, ctx.lang))),
        (_("Industry"), ctx.u(ent.industry_label(a.industry, ctx.lang))),
        (_("Size class"), ctx.u(ent.size_label(a.size_class, ctx.lang))),
        (_("Questionnaire"), f"{ctx.tr(q.title)}{ctx.dot}"
            + ctx.u(_("questionnaire version %(v)s", v=a.questionnaire_version))),
        (_("Submitted"), ctx.date(a.submitted_at)),
        (_("Report date"), ctx.date(ctx.generated_at)),
    ]  # fmt: skip
    rows = [[Paragraph(ctx.u(k), s.cell_head), Paragraph(v, s.cell)] for k, v in facts]
    return ctx.table(rows, [48 * mm, CONTENT_W - 48 * mm], header=False)


def _headline(ctx: Ctx) -> Table:
    """The cover's box of headline numbers: total score, stage, rank in Cixi."""
    _, s, view = ctx.t.gettext, ctx.s, ctx.view
    city = view.comparisons["city"]
    total = f'{score(view.result.total)}<font size="12" color="#66727f"> /100</font>'
    headline = [
        [
            Paragraph(ctx.u(_("Total score")), s.big_label),
            Paragraph(ctx.u(_("Stage / tier")), s.big_label),
            Paragraph(ctx.u(_("Ahead of, in Cixi")), s.big_label),
        ],
        [
            Paragraph(total, s.big),
            Paragraph(ctx.tr(view.level.label) if view.level else "—", s.stage),
            Paragraph(pct(city.percentile.get(TOTAL)) if city.shown else "—", s.stage),
        ],
    ]
    box = ctx.grid(headline, colWidths=[CONTENT_W * 0.36, CONTENT_W * 0.34, CONTENT_W * 0.30])
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
    return box


def cover(ctx: Ctx) -> list:
    """Title page: who, which questionnaire, when; the headline numbers."""
    _, s = ctx.t.gettext, ctx.s
    facts = _facts(ctx)
    box = levels.headline(ctx) if ctx.view.levels else _headline(ctx)
    disclaimer = _(
        "Scores are a self-assessment based on your own answers; they are not an official "
        "certification."
    )
    note = [levels.note_box(ctx), Spacer(1, 6 * mm)] if ctx.view.levels else []
    helper = ctx.view.subject.assisted_by  # a service provider filled it in with the enterprise
    assisted = [Paragraph(ctx.u(_("Filled with the help of service provider %(name)s",
                                  name=helper)), s.h3)] if helper else []  # fmt: skip
    return [
        Spacer(1, 18 * mm),
        Paragraph(ctx.u(_("Cixi Enterprise Digital Maturity Self-Assessment")), s.kicker),
        s.heading(ctx.u(_("Digital maturity diagnosis report")), s.title),
        Paragraph(ctx.tr(ctx.view.questionnaire.title), s.h3),
        Spacer(1, 14 * mm),
        s.heading(ctx.u(ctx.view.subject.enterprise_name), s.cover_name),
        *assisted,
        Spacer(1, 4 * mm),
        facts,
        Spacer(1, 12 * mm),
        box,
        Spacer(1, 10 * mm),
        *note,
        Paragraph(ctx.u(disclaimer), s.muted),
        PageBreak(),
    ]


def level_story(ctx: Ctx) -> list:
    """The report of a level-rated questionnaire (MIIT): no radar or dimension percentages, which
    mean nothing over rated scenarios; the level, S, the scenario grid, the path, the checklist."""
    return [
        *cover(ctx),
        *levels.summary(ctx),
        *levels.peers(ctx),
        *levels.progress(ctx),
        *levels.scenarios(ctx),
        CondPageBreak(110 * mm),
        *level_path.path(ctx),
        CondPageBreak(110 * mm),
        *checklist.checklist(ctx),
        CondPageBreak(90 * mm),
        *sections.method(ctx),
    ]


def story(ctx: Ctx) -> list:
    """Every flowable of the report, in reading order."""
    if ctx.view.levels:
        return level_story(ctx)
    figures = result_figures(ctx.view, ctx.lang, chart_texts(ctx.t.gettext))
    return [
        *cover(ctx),
        *summary.summary(ctx, figures),
        *summary.progress(ctx),
        CondPageBreak(110 * mm),  # a new section starts on a new page unless most of it is free
        *sections.dimensions(ctx),
        CondPageBreak(110 * mm),
        *roadmap.roadmap(ctx),
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
    configure_reportlab()
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
    product = _("Cixi Enterprise Digital Maturity Self-Assessment")
    title = _("Digital maturity diagnosis report")
    chrome = Chrome(
        product=plain(product, fonts),
        enterprise=view.subject.enterprise_name,
        left_footer=plain(
            f"{title} · {view.questionnaire.title.get(lang)} "
            f"{view.subject.questionnaire_version} · {ctx.date(ctx.generated_at)}",
            fonts,
        ),
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
        title=f"{title} · {view.subject.enterprise_name}",
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
