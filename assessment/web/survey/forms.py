"""The survey page form: a fresh FlaskForm subclass per page, built from the questionnaire.

Fields only collect and re-display raw input; the questionnaire's own `coerce` decides what an
answer means, so the web form and `flask score` accept exactly the same values.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from assessment.core.questionnaire.answers import coerce
from assessment.core.questionnaire.model import NA, Page, Question
from assessment.core.text import Problem

NOT_APPLICABLE = _l("Not applicable")


def field_name(question: Question) -> str:
    """The form field of a question (prefixed, so no id can clash with form attributes)."""
    return f"q_{question.id}"


def na_field_name(question: Question) -> str:
    """The separate "not applicable" checkbox of a number or text question."""
    return f"na_{question.id}"


def _label(name: str) -> str:
    # WTForms' default label, given explicitly: its default runs the label through gettext, which
    # loads WTForms' own catalog from disk once per request. The template never shows these labels.
    return name.replace("_", " ").title()


def build_form_class(page: Page) -> type[FlaskForm]:
    attrs: dict[str, Any] = {"lock_version": HiddenField(_label("lock_version"))}
    for q in page.questions:
        name = field_name(q)
        label = _label(name)
        # Choices are rendered by the template (fieldset/legend, help per choice) and checked by
        # the questionnaire's `coerce`, so the fields need no WTForms choice list.
        if q.type in ("single", "ladder"):
            attrs[name] = RadioField(label, validate_choice=False)
        elif q.type == "multi":
            attrs[name] = SelectMultipleField(label, validate_choice=False)
        elif q.type == "number":
            attrs[name] = StringField(label)
            if q.allow_na:
                attrs[na_field_name(q)] = BooleanField(_label(na_field_name(q)))
        else:
            attrs[name] = TextAreaField(label)
    return type(f"Page{page.index}Form", (FlaskForm,), attrs)


def initial_data(page: Page, answers: dict[str, Any], lock_version: int) -> dict[str, Any]:
    """Form data that shows the stored answers of a page."""
    data: dict[str, Any] = {"lock_version": str(lock_version)}
    for q in page.questions:
        value = answers.get(q.id)
        if value is None:
            continue
        if q.type == "number" and value == NA:
            data[na_field_name(q)] = True
        elif q.type == "multi":
            data[field_name(q)] = [NA] if value == NA else list(value)
        else:
            data[field_name(q)] = str(value)
    return data


def read_answers(form: FlaskForm, page: Page) -> tuple[dict[str, Any], dict[str, Problem]]:
    """The page's answers as stored values, and a problem per question that could not be read."""
    answers: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    for q in page.questions:
        raw = form[field_name(q)].data
        if q.type == "number" and q.allow_na and form[na_field_name(q)].data:
            raw = NA
        elif q.type == "multi" and raw and NA in raw:
            raw = NA if len(raw) == 1 else raw  # N/A with other choices: let coerce refuse it
        value, problem = coerce(q, raw)
        if problem is not None:
            problems[q.id] = problem
        elif value is not None:
            answers[q.id] = value
    return answers, problems


def parse_lock_version(form: FlaskForm) -> int | None:
    """The lock version the page was opened with (None when missing or tampered)."""
    raw = (form.lock_version.data or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None
