"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_babel import format_datetime, gettext
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_eval_context
from markupsafe import Markup

from assessment.core import enterprise as ent
from assessment.core.questionnaire.answers import describe
from assessment.core.questionnaire.model import EMPTY_TEXT, Text
from assessment.web.i18n import current_lang, translations


def tr(text: Text | dict | None) -> str:
    """A bilingual questionnaire text in the current language."""
    if text is None:
        return ""
    if isinstance(text, dict):
        text = Text(text.get("zh", ""), text.get("en", ""))
    return (text or EMPTY_TEXT).get(current_lang())


def score(value: float | None, digits: int = 1) -> str:
    """A score for display ('—' when there is none)."""
    return "—" if value is None else f"{value:.{digits}f}"


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables: Any) -> str:
    """`_()` / `gettext()` in templates: Jinja's new-style gettext on the per-request catalog.

    Does what Flask-Babel's installed callable does (translate, mark safe under autoescape, then
    %-format, which escapes the variables), without its per-call context lookups and without
    Jinja's `_` alias indirection: a survey page makes ~80 of these calls.
    """
    rv = translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    if not variables and "%" not in rv:
        return rv  # formatting would change nothing (it only matters for %(x)s and %%)
    return rv % variables  # always a format string, as Jinja's new-style gettext


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables: Any) -> str:
    """`ngettext()` in templates, like `template_gettext` (`num` is available as %(num)s)."""
    variables.setdefault("num", num)
    rv = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def questionnaires() -> list:
    """The current version of each questionnaire."""
    return current_app.extensions["questionnaires"].current()


def register(app: Flask) -> None:
    """Install the filters and globals on `app`."""
    app.jinja_env.filters.update(
        tr=tr,
        score=score,
        town=lambda code: ent.town_label(code, current_lang()),
        industry=lambda code: ent.industry_label(code, current_lang()),
        size=lambda code: ent.size_label(code, current_lang()),
        datetime=lambda value, fmt="yyyy-MM-dd HH:mm": format_datetime(value, fmt) if value else "",
        date=lambda value: format_datetime(value, "yyyy-MM-dd") if value else "",
        reject_none=lambda mapping: {k: v for k, v in mapping.items() if v is not None},
    )
    # Replaces the callables Flask-Babel installed (babel.init_app runs before this); `_` is
    # bound directly instead of going through jinja2.ext's alias that re-resolves `gettext`.
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.jinja_env.globals.update(
        current_lang=current_lang,
        questionnaires=questionnaires,
        csrf_token=generate_csrf,
        has_endpoint=lambda name: name in current_app.view_functions,
        town_label=lambda code: ent.town_label(code, current_lang()),
        industry_label=lambda code: ent.industry_label(code, current_lang()),
        size_label=lambda code: ent.size_label(code, current_lang()),
        describe=lambda question, value: describe(
            question, value, current_lang(), gettext("Not applicable")
        ),
    )
    app.jinja_env.add_extension("jinja2.ext.do")


def page_title(*parts: Any) -> str:
    """A window title: the given parts and the product name."""
    return " · ".join(str(p) for p in parts if p)
