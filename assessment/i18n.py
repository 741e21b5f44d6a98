"""Locale selection: the language chosen in the session, else Simplified Chinese."""

from flask import current_app, g, session
from flask_babel import get_locale


def select_locale() -> str:
    """Flask-Babel locale selector (Babel(app, locale_selector=...) in flask-babel 4)."""
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    """'zh' or 'en': the language of the current request (worked out once per request)."""
    lang = g.get("lang")
    if lang is None:
        locale = get_locale()
        lang = g.lang = "en" if locale is not None and locale.language == "en" else "zh"
    return lang
