"""Questionnaires as data: model, loader/validator, safe `relevant` expressions, answer handling."""

from assessment.core.questionnaire.model import NA, Page, Question, Questionnaire
from assessment.core.questionnaire.registry import InvalidQuestionnaireError, Registry

__all__ = ["NA", "InvalidQuestionnaireError", "Page", "Question", "Questionnaire", "Registry"]
