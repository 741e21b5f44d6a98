"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_babel import format_datetime, gettext
from flask_wtf.csrf import generate_csrf

from . import enterprise as ent
from .i18n import current_lang
from .questionnaire.answers import describe
from .questionnaire.model import EMPTY_TEXT, Text


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
