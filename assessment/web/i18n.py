"""Locale selection and the request's catalog: the language chosen in the session, else Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel.support import NullTranslations
from flask import current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations

# Keys of this module's per-request memo in `flask.g` (our own names, nobody else's state).
_LANG, _CATALOG = "_i18n_lang", "_i18n_catalog"


def select_locale() -> str:
    """Flask-Babel locale selector (Babel(app, locale_selector=...) in flask-babel 4)."""
    # The API: Accept-Language only (no cookie chooses its language).
    if has_request_context() and request.path.startswith("/api/"):
        return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "zh"
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    """'zh' or 'en': the language of the current request (worked out once per request)."""
    lang = g.get(_LANG)
    if lang is None:
        locale = get_locale()
        lang = "en" if locale is not None and locale.language == "en" else "zh"
        if has_request_context():
            setattr(g, _LANG, lang)
    return lang


def translations() -> NullTranslations:
    """The Babel catalog of the current request, looked up once per request.

    `flask_babel.get_translations()` costs about 6 µs a call, and a survey page translates dozens
    of strings, so the catalog is remembered in `g` for the rest of the request. Code that needs
    another language for a while (a mail to a user who reads English) uses `language()`, which
    switches this memo with the locale.
    """
    catalog = g.get(_CATALOG)
    if catalog is None:
        catalog = get_translations()
        if has_request_context():
            setattr(g, _CATALOG, catalog)
    return catalog


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Render in `lang` inside the block (Flask-Babel's `force_locale` plus this module's memo)."""
    saved = {key: g.pop(key, None) for key in (_LANG, _CATALOG)}
    try:
        with force_locale(lang):
            yield
    finally:
        for key, value in saved.items():
            g.pop(key, None)
            if value is not None:
                setattr(g, key, value)
