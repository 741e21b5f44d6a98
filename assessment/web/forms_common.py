"""Helpers shared by the blueprints' forms: translated domain problems, choice lists."""

from __future__ import annotations

from flask_babel import gettext
from wtforms import ValidationError

from assessment.core.text import Problem
from assessment.web.i18n import current_lang


def message(problem: Problem) -> str:
    """A domain problem in the user's language."""
    return problem.render(gettext, current_lang())


def raise_problem(problem: Problem | None) -> None:
    """Raise a WTForms ValidationError for a domain problem (no-op for None)."""
    if problem is not None:
        raise ValidationError(message(problem))
