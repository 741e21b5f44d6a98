"""Locale selection: the language chosen in the session, else Simplified Chinese."""

from babel.support import NullTranslations
from flask import current_app, g, has_app_context, session
from flask_babel import get_locale, get_translations


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


def translations() -> NullTranslations:
    """The Babel catalog of the current request, looked up once per request and locale.

    `flask_babel.get_translations()` costs about 6 µs a call (several context-local lookups and a
    locale identifier string each time), and a survey page translates dozens of strings. The
    catalog is remembered next to Flask-Babel's own per-request state (`g._flask_babel`), together
    with the locale object it selected, so `force_locale()` and `refresh()` (which replace or drop
    that object) still switch catalogs.
    """
    babel_state = g.get("_flask_babel") if has_app_context() else None
    if babel_state is not None:
        cached = babel_state.__dict__.get("assessment_catalog")
        if cached is not None and cached[0] is babel_state.__dict__.get("babel_locale"):
            return cached[1]
    catalog = get_translations()  # selects the locale first when not done yet
    babel_state = g.get("_flask_babel") if has_app_context() else None  # created by that call
    locale = getattr(babel_state, "babel_locale", None)
    if locale is not None:  # outside a request there is no locale and nothing to remember
        babel_state.assessment_catalog = (locale, catalog)
    return catalog
