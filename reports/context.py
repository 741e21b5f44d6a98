"""What every part of one report needs: the view, language, styles, and small formatting helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from assessment.core import enterprise as ent
from assessment.core.charts.shapes import Figure
from assessment.core.cohorts import Cohort
from assessment.core.questionnaire.model import Text
from assessment.core.result_view import ResultView
from reports.drawing import to_drawing
from reports.fonts import FontSet
from reports.i18n import Translator
from reports.styles import Styles, table_style
from reports.text import plain, user


@dataclass
class Ctx:
    """One report being built."""

    view: ResultView
    lang: str
    t: Translator
    s: Styles
    fonts: FontSet
    tz: ZoneInfo
    generated_at: datetime

    @property
    def dot(self) -> str:
        """The separator " · " (the CID fallback font has no middle dot: "・")."""
        return " · " if self.fonts.embedded else "・"

    @property
    def dash(self) -> str:
        """The range dash "–" (the CID fallback font draws it full-width: "-")."""
        return "–" if self.fonts.embedded else "-"

    @property
    def na(self) -> str:
        """The "not applicable" label in the report's language."""
        return self.t.gettext("Not applicable")

    def u(self, value: object) -> str:
        """User or database text as Paragraph markup (escaped)."""
        return user(value, self.fonts)

    def tr(self, text: Text | None) -> str:
        """A bilingual questionnaire text in the report's language, as escaped markup."""
        return user(text.get(self.lang) if text else "", self.fonts)

    def local(self, when: datetime) -> datetime:
        """A stored (naive UTC) or aware time in the report's time zone."""
        aware = when if when.tzinfo else when.replace(tzinfo=UTC)
        return aware.astimezone(self.tz)

    def date(self, when: datetime | None) -> str:
        """yyyy-MM-dd in the report's time zone ('' for None), as the result page shows it."""
        return self.local(when).strftime("%Y-%m-%d") if when else ""

    def cohort(self, cohort: Cohort | None) -> str:
        """A peer group's name as the result page says it (escaped markup)."""
        _ = self.t.gettext
        if cohort is None:
            return "—"
        industry = ent.industry_label(cohort.industry, self.lang) if cohort.industry else ""
        size = ent.size_label(cohort.size_class, self.lang) if cohort.size_class else ""
        if cohort.kind == "city":
            label = _("All of Cixi")
        elif cohort.kind == "industry":
            label = _("Industry: %(industry)s", industry=industry)
        elif cohort.kind == "town":
            label = _("Town: %(town)s", town=ent.town_label(cohort.town, self.lang))
        elif cohort.kind == "size":
            label = _("Size: %(size)s", size=size)
        else:
            label = _("Industry and size: %(industry)s, %(size)s", industry=industry, size=size)
        return self.u(label)

    def figure(self, fig: Figure, width: float | None = None) -> Flowable:
        """A chart Figure as a flowable Drawing, scaled to `width` points when given (up to
        +15%), with the empty bands above and below its shapes trimmed."""
        drawing = to_drawing(
            fig,
            self.fonts.regular,
            None if self.fonts.fake_bold else self.fonts.bold,
            text=None if self.fonts.embedded else (lambda t: plain(t, self.fonts)),
            trim=6,
        )
        if width:
            k = min(width / drawing.width, 1.15)
            drawing.scale(k, k)
            drawing.width, drawing.height = drawing.width * k, drawing.height * k
        drawing.hAlign = "CENTER"
        return drawing

    def grid(self, rows, **kwargs) -> Table:
        """A reportlab Table whose cells default to the report font (not Helvetica)."""
        table = Table(rows, **kwargs)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.regular)]))
        return table

    def head(self, labels: list[str], numeric_from: int) -> list[Paragraph]:
        """A table's header row: muted labels, right-aligned from column `numeric_from` on."""
        s = self.s
        return [
            Paragraph(self.u(label), s.cell_head_num if i >= numeric_from else s.cell_head)
            for i, label in enumerate(labels)
        ]

    def table(self, rows, widths, *, header=True, zebra=False, extra=()) -> Table:
        """A table with light rules (cells should be Paragraphs so they wrap)."""
        table = self.grid(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style = table_style(header, zebra=zebra)
        for command in extra:
            style.add(*command)
        table.setStyle(style)
        return table


def score(value: float | None, digits: int = 1) -> str:
    """A score for display ('—' when there is none), as the result page shows it."""
    return "—" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A percentile rank as '67%' ('—' when there is none)."""
    return "—" if value is None else f"{value:.0f}%"


def delta(value: float | None) -> str:
    """A signed change in points, coloured (markup)."""
    if value is None:
        return "—"
    if value > 0:
        return f'<font color="#1c7c54">+{value:.1f}</font>'
    if value < 0:
        return f'<font color="#b45309">{value:.1f}</font>'
    return "0.0"
