"""The survey's form classes, built once per questionnaire page when the app loads."""

from __future__ import annotations

from flask_wtf import FlaskForm

from assessment.core.questionnaire import Page, Questionnaire, Registry
from assessment.web.survey.forms import build_form_class


class SurveyForms:
    """One FlaskForm subclass per page of every loaded questionnaire version.

    A version never changes once loaded, so its classes are built at start-up (WTForms' first-use
    field scan included) and shared by every request; nothing may mutate them.
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
