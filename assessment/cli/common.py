"""What several command groups share: the loaded questionnaires and plain-text problems."""

from __future__ import annotations

from flask import current_app

from assessment.core.questionnaire import Registry
from assessment.core.text import Problem


def registry() -> Registry:
    """The questionnaires the app loaded at start (needs an app context)."""
    return current_app.extensions["questionnaires"]


def problem_text(problem: Problem) -> str:
    """The message of `problem` with its parameters filled in.

    Untranslated on purpose: the commands speak English, the catalogs' source language.
    """
    return problem.render(lambda message, **params: message % params if params else message, "en")
