"""The bureau's filter form (GET: no CSRF, bookmarkable)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from assessment.core.enterprise import industries, size_classes, towns
from assessment.core.questionnaire.model import Questionnaire
from assessment.services.bureau_filters import Filters
from assessment.services.models import utcnow
from assessment.web.i18n import current_lang


def _periods() -> list[tuple[str, str]]:
    year = utcnow().year
    return [("all", _("All time")), ("12m", _("Last 12 months")), ("24m", _("Last 24 months"))] + [
        (f"y{y}", _("Year %(year)s", year=y)) for y in (year, year - 1, year - 2)
    ]


def period_bounds(code: str) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a period code; end None means up to now."""
    now = utcnow()
    if code in ("12m", "24m"):
        months = int(code[:-1])
        year, month = now.year, now.month - months + 1
        while month <= 0:
            month += 12
            year -= 1
        return datetime(year, month, 1), None  # whole months, so buckets align
    if code.startswith("y") and code[1:].isdigit():
        year = int(code[1:])
        return datetime(year, 1, 1), (datetime(year + 1, 1, 1) if year < now.year else None)
    return None, None


class FilterForm(Form):
    q = SelectField(_l("Questionnaire"))
    period = SelectField(_l("Period"), default="all")
    industry = SelectField(_l("Industry"), default="")
    town = SelectField(_l("Town / subdistrict"), default="")
    size = SelectField(_l("Size"), default="")
    level = SelectField(_l("Stage / tier"), default="")  # of the latest assessment
    search = StringField(_l("Name or credit code"))

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        lang = current_lang()
        everything = [SelectChoice("", _("All"))]
        registry = current_app.extensions["questionnaires"]
        self.q.choices = [SelectChoice(q.id, q.title.get(lang)) for q in registry.current()]
        self.period.choices = [SelectChoice(v, label) for v, label in _periods()]
        self.industry.choices = everything + [
            SelectChoice(i.code, i.label(lang)) for i in industries()
        ]
        self.town.choices = everything + [SelectChoice(t.code, t.label(lang)) for t in towns()]
        self.size.choices = everything + [
            SelectChoice(s.code, s.label(lang)) for s in size_classes()
        ]
        known = {c.value for c in self.q.choices}
        chosen = self.q.data if self.q.data in known else self.q.choices[0].value
        self._levels_of(registry.get(chosen))

    def _levels_of(self, questionnaire: Questionnaire) -> None:
        """Offer the stages (levels, tiers) of `questionnaire` in the level select."""
        lang = current_lang()
        official = questionnaire.scoring == "points"  # official levels (MIIT): say "level"
        self.level.label.text = _("Level") if official else _("Stage / tier")
        self.level.choices = [SelectChoice("", _("All"))] + [
            SelectChoice(lv.id, lv.label.get(lang)) for lv in questionnaire.levels
        ]

    def resolve(self) -> tuple[Filters, list[str]]:
        """The filters to apply, and a message per ignored unknown value."""
        ignored = []
        values = {}
        registry = current_app.extensions["questionnaires"]
        for field in (self.q, self.period, self.industry, self.town, self.size, self.level):
            if field is self.level:  # the stages of the questionnaire just resolved
                self._levels_of(registry.get(values["q"] or registry.current()[0].id))
            allowed = [c.value for c in field.choices]
            value = field.data if field.data is not None else field.default
            if value not in allowed:
                ignored.append(_("Unknown %(field)s “%(value)s” was ignored.", field=field.label.text,
                                 value=str(value)[:40]))  # fmt: skip
                value = field.default if field.default is not None else allowed[0]
                field.data = value
            values[field.name] = value
        questionnaire = registry.get(values["q"] or registry.current()[0].id)
        start, end = period_bounds(values["period"])
        filters = Filters(
            questionnaire.id, questionnaire.version, start, end,
            values["industry"] or None, values["town"] or None, values["size"] or None,
            include_demo=current_app.config["DEMO_MODE"], stage=values["level"] or None,
        )  # fmt: skip
        return filters, ignored


def filter_form(args) -> FilterForm:
    """The filter form bound to the query string, defaulting to the first questionnaire."""
    form = FilterForm(args)
    if not form.q.data:
        form.q.data = form.q.choices[0].value
    if not form.period.data:
        form.period.data = "all"
    return form
