"""Locale selection: the language chosen in the session, else Simplified Chinese."""

from flask import current_app, session
from flask_babel import get_locale


def select_locale() -> str:
    """Flask-Babel locale selector (Babel(app, locale_selector=...) in flask-babel 4)."""
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    """'zh' or 'en': the language of the current request."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"
