"""Flask-free translations for the report: the project's compiled Babel catalogs (English msgids).

Strings in reports/*.py are written as `_("...")` (and `ngettext(...)`) so `pybabel extract` finds
them; at run time each report binds `_` to the translator of its language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("zh", "en")


def normalise(lang: str | None) -> str:
    """'en' for any English locale, else 'zh' (the product's default language)."""
    return "en" if (lang or "").lower().startswith("en") else "zh"


@dataclass(frozen=True)
class Translator:
    """gettext/ngettext for one language; `%(name)s` parameters are filled from keywords."""

    lang: str
    catalog: NullTranslations

    def gettext(self, message: str, **params) -> str:
        """The translation of `message`, with `params` substituted."""
        text = self.catalog.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params) -> str:
        """The singular or plural translation for `num` (`num` is also a parameter)."""
        text = self.catalog.ngettext(singular, plural, num)
        return text % {"num": num, **params}


@lru_cache(maxsize=8)
def translator(lang: str | None) -> Translator:
    """The translator for `lang` ('zh' or 'en'); loaded once per process."""
    code = normalise(lang)
    catalog = Translations.load(str(TRANSLATIONS_DIR), [code], domain="messages")
    if code != "en" and not isinstance(catalog, Translations):
        log.warning("no compiled %s catalog in %s: run `make catalogs`", code, TRANSLATIONS_DIR)
    return Translator(code, catalog)
