"""Questionnaires as data: model, loader/validator, safe `relevant` expressions, answer handling."""

from .model import NA, Page, Question, Questionnaire
from .registry import InvalidQuestionnaireError, Registry

__all__ = ["NA", "InvalidQuestionnaireError", "Page", "Question", "Questionnaire", "Registry"]
