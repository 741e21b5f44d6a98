"""The bureau's filter form (GET: no CSRF, bookmarkable)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from assessment.core.enterprise import industries, is_town, size_classes, town_label, towns
from assessment.core.enums import Review
from assessment.core.questionnaire import Registry
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


def pool_choices(registry: Registry, lang: str) -> list[SelectChoice]:
    """One choice per pool of comparable versions (what the figures count together), the newest
    pool of each questionnaire under its plain id; a pool of several versions, or an older pool,
    names its versions ("两化融合评估（版本 2025.1 / 2025.2）")."""
    choices = []
    for current in registry.current():
        pools = registry.pools(current.id)
        for n, pool in enumerate(pools):
            title = current.title.get(lang)
            if len(pools) > 1 or len(pool) > 1:
                title = _("%(title)s (versions %(versions)s)", title=title,
                          versions=" / ".join(pool))  # fmt: skip
            value = current.id if n == 0 else f"{current.id}@{pool[-1]}"
            choices.append(SelectChoice(value, title))
    return choices


def pool_of(registry: Registry, value: str | None) -> tuple[str, ...] | None:
    """The pooled versions a questionnaire choice stands for: "lianghua" the newest pool,
    "lianghua@2025.1" the pool holding that version; None when there is no such questionnaire."""
    qid, _at, version = (value or "").partition("@")
    if registry.get(qid, version or None) is None:
        return None
    return registry.pooled(qid, version or registry.get(qid).version)


def canonical(registry: Registry, value: str | None) -> str | None:
    """The choice value of the pool `value` names (an old bookmark "lianghua@2025.1" becomes
    "lianghua" once 2025.1 pools with the newest version); `value` itself when unknown."""
    pool = pool_of(registry, value)
    if pool is None:
        return value
    qid = value.partition("@")[0]
    return qid if pool == registry.pooled(qid, registry.get(qid).version) else f"{qid}@{pool[-1]}"


APPROVED = Review.APPROVED.value


class FilterForm(Form):
    q = SelectField(_l("Questionnaire"))
    period = SelectField(_l("Period"), default="all")
    industry = SelectField(_l("Industry"), default="")
    town = SelectField(_l("Town / subdistrict"), default="")
    size = SelectField(_l("Size"), default="")
    level = SelectField(_l("Stage / tier"), default="")  # of the latest assessment
    # Which submissions count: all of them, or only those approved in a campaign review.
    review = SelectField(_l("Submissions"), default="")
    search = StringField(_l("Name or credit code"))

    def __init__(self, formdata, scope: frozenset[str] | None = None, **kwargs):
        super().__init__(formdata, **kwargs)
        self.scope = scope  # a town officer's towns: the only towns offered, and always applied
        lang = current_lang()
        everything = [SelectChoice("", _("All"))]
        registry = current_app.extensions["questionnaires"]
        self.q.choices = pool_choices(registry, lang)
        self.q.data = canonical(registry, self.q.data)
        self.period.choices = [SelectChoice(v, label) for v, label in _periods()]
        self.industry.choices = everything + [
            SelectChoice(i.code, i.label(lang)) for i in industries()
        ]
        self.town.choices = everything + [SelectChoice(t.code, t.label(lang)) for t in towns()
                                          if scope is None or t.code in scope]  # fmt: skip
        self.review.choices = [SelectChoice("", _("All submissions")),
                               SelectChoice(APPROVED, _("Approved submissions only"))]  # fmt: skip
        self.size.choices = everything + [
            SelectChoice(s.code, s.label(lang)) for s in size_classes()
        ]
        known = {c.value for c in self.q.choices}
        chosen = self.q.data if self.q.data in known else self.q.choices[0].value
        self._levels_of(self._questionnaire(chosen))

    def _questionnaire(self, value: str | None) -> Questionnaire:
        """The newest version of the pool a questionnaire choice stands for (the first choice's
        when it stands for none): its texts, dimensions and levels are the pool's."""
        registry = current_app.extensions["questionnaires"]
        if pool_of(registry, value) is None:
            value = self.q.choices[0].value
        return registry.get(value.partition("@")[0], pool_of(registry, value)[-1])

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
        fields = (self.q, self.period, self.industry, self.town, self.size, self.level, self.review)
        for field in fields:
            if field is self.level:  # the stages of the questionnaire just resolved
                self._levels_of(self._questionnaire(values["q"]))
            allowed = [c.value for c in field.choices]
            value = field.data if field.data is not None else field.default
            if field is self.town and value not in allowed and is_town(value):
                ignored.append(_("%(town)s is not one of your towns; it was ignored.",
                                 town=town_label(value, current_lang())))  # fmt: skip
                value = field.data = field.default
            elif value not in allowed:
                ignored.append(_("Unknown %(field)s “%(value)s” was ignored.", field=field.label.text,
                                 value=str(value)[:40]))  # fmt: skip
                value = field.default if field.default is not None else allowed[0]
                field.data = value
            values[field.name] = value
        questionnaire = self._questionnaire(values["q"])
        start, end = period_bounds(values["period"])
        filters = Filters(
            questionnaire.id, questionnaire.version, start, end,
            values["industry"] or None, values["town"] or None, values["size"] or None,
            include_demo=current_app.config["DEMO_MODE"], stage=values["level"] or None,
            versions=registry.pooled(questionnaire.id, questionnaire.version),
            towns=self.scope, approved_only=values["review"] == APPROVED,
        )  # fmt: skip
        return filters, ignored


def filter_form(args, scope: frozenset[str] | None = None) -> FilterForm:
    """The filter form bound to the query string, defaulting to the first questionnaire; a town
    officer's `scope` limits the towns offered and every figure."""
    form = FilterForm(args, scope=scope)
    if not form.q.data:
        form.q.data = form.q.choices[0].value
    if not form.period.data:
        form.period.data = "all"
    return form
