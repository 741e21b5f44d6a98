"""The web side of question types: one form-field kind per type, and the survey's form classes.

A question type (`assessment.core.question_types`) decides what an answer means; its field kind
here decides how the answer is typed in a browser: which WTForms fields a page form gets, which
macro of `templates/survey/_types.html` draws them, what a stored answer looks like in the form,
and what the browser posted. Fields only collect and re-display raw input: the type's `coerce`
checks it, so the page and the API accept exactly the same values.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from assessment.core.questionnaire import NA, Page, Question, Questionnaire, Registry


def field_name(question: Question) -> str:
    """The form field of a question (prefixed, so no id can clash with form attributes)."""
    return f"q_{question.id}"


def na_field_name(question: Question) -> str:
    """The separate "not applicable" checkbox of a number question."""
    return f"na_{question.id}"


def _label(name: str) -> str:
    # WTForms' default label, given explicitly: its default runs the label through gettext, which
    # loads WTForms' own catalog from disk once per request. The template never shows these labels.
    return name.replace("_", " ").title()


class FieldKind:
    """How one question type is typed in a browser."""

    macro: str  # the macro in templates/survey/_types.html
    fieldset = False  # a group of inputs (fieldset + legend) rather than one labelled input

    def fields(self, question: Question) -> dict[str, Field]:
        """The page form's fields for this question."""
        return {field_name(question): StringField(_label(field_name(question)))}

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """Form data that shows a stored answer."""
        return {field_name(question): str(value)}

    def read(self, form: FlaskForm, question: Question) -> Any:
        """The raw answer the browser posted."""
        return form[field_name(question)].data


class ChoiceKind(FieldKind):
    # Choices are rendered by the macro (fieldset/legend, help per choice) and checked by the
    # type's `coerce`, so the field needs no WTForms choice list.
    macro = "single"
    fieldset = True

    def fields(self, question):
        return {field_name(question): RadioField(_label(field_name(question)),
                                                 validate_choice=False)}  # fmt: skip


class LadderKind(ChoiceKind):
    macro = "ladder"


class MultiKind(FieldKind):
    macro = "multi"
    fieldset = True

    def fields(self, question):
        return {field_name(question): SelectMultipleField(_label(field_name(question)),
                                                          validate_choice=False)}  # fmt: skip

    def form_data(self, question, value):
        return {field_name(question): [NA] if value == NA else list(value)}

    def read(self, form, question):
        raw = form[field_name(question)].data
        if raw and NA in raw:
            return NA if len(raw) == 1 else raw  # N/A with other choices: let coerce refuse it
        return raw


class NumberKind(FieldKind):
    macro = "number"

    def fields(self, question):
        out = super().fields(question)
        if question.allow_na:
            out[na_field_name(question)] = BooleanField(_label(na_field_name(question)))
        return out

    def form_data(self, question, value):
        if value == NA:
            return {na_field_name(question): True}
        return super().form_data(question, value)

    def read(self, form, question):
        if question.allow_na and form[na_field_name(question)].data:
            return NA
        return super().read(form, question)


class TextKind(FieldKind):
    macro = "text"

    def fields(self, question):
        return {field_name(question): TextAreaField(_label(field_name(question)))}


class ScenarioKind(LadderKind):
    macro = "scenario"


class DerivedKind(FieldKind):
    """A choice computed from figures: shown (the computed band marked), never typed."""

    macro = "derived"
    fieldset = True

    def fields(self, question):
        return {field_name(question): HiddenField(_label(field_name(question)))}


FIELD_KINDS: dict[str, FieldKind] = {
    "single": ChoiceKind(),
    "ladder": LadderKind(),
    "multi": MultiKind(),
    "number": NumberKind(),
    "figure": NumberKind(),
    "text": TextKind(),
    "scenario": ScenarioKind(),
}
DERIVED = DerivedKind()


def field_kind(question: Question) -> FieldKind:
    """The field kind of a question: its type's, or the derived one for a computed choice."""
    return DERIVED if question.extra.get("derive") else FIELD_KINDS[question.type]


def build_form_class(page: Page) -> type[FlaskForm]:
    """A fresh FlaskForm subclass holding every question field of one page."""
    attrs: dict[str, Any] = {"lock_version": HiddenField(_label("lock_version"))}
    for question in page.questions:
        attrs.update(field_kind(question).fields(question))
    return type(f"Page{page.index}Form", (FlaskForm,), attrs)


def initial_data(page: Page, answers: dict[str, Any], lock_version: int) -> dict[str, Any]:
    """Form data that shows the stored answers of a page."""
    data: dict[str, Any] = {"lock_version": str(lock_version)}
    for question in page.questions:
        value = answers.get(question.id)
        if value is not None:
            data.update(field_kind(question).form_data(question, value))
    return data


def read_page(form: FlaskForm, page: Page) -> dict[str, Any]:
    """What the browser posted for each question of the page (raw, unchecked)."""
    return {q.id: field_kind(q).read(form, q) for q in page.questions}


def parse_lock_version(form: FlaskForm) -> int | None:
    """The lock version the page was opened with (None when missing or tampered)."""
    raw = (form.lock_version.data or "").strip()
    # The column is a 32-bit integer: a larger value cannot match and PostgreSQL refuses it.
    return int(raw) if raw.isdigit() and len(raw) < 11 and int(raw) < 2**31 else None


class SurveyForms:
    """One form class per page of every loaded questionnaire version, built at start-up.

    A version never changes once loaded, so its classes (and WTForms' first-use field scan) are
    built once and shared by every request; nothing may mutate them.
    """

    def __init__(self, registry: Registry):
        self._classes = {
            (q.id, q.version, page.index): build_form_class(page)
            for q in registry.all()
            for page in q.pages
        }

    def form_class(self, questionnaire: Questionnaire, page: Page) -> type[FlaskForm]:
        """The form class of one page."""
        return self._classes[(questionnaire.id, questionnaire.version, page.index)]

    @staticmethod
    def kind(question: Question) -> FieldKind:
        """The field kind of a question (templates ask it for the macro and fieldset)."""
        return field_kind(question)
