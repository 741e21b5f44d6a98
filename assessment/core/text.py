"""Bilingual texts and user-facing messages for domain code, which must not import Flask.

Domain modules mark messages with `N_` so `pybabel extract -k N_` finds them; whoever shows a
`Problem` translates it then, with the gettext of the page, the PDF or the CLI (`Problem.render`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Text:
    """A bilingual text from a data file; `get(lang)` falls back to Chinese."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang` ('zh' or 'en')."""
        return self.en if lang == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        """The text as `{zh, en}`."""
        return {"zh": self.zh, "en": self.en}


EMPTY_TEXT = Text("", "")


@dataclass(frozen=True)
class Problem:
    """A user-facing problem: an untranslated message with its parameters. A parameter may be a
    bilingual `Text` (e.g. a choice label); it is shown in the reader's language."""

    message: str
    params: dict = field(default_factory=dict)

    def render(self, gettext: Callable[..., str], lang: str) -> str:
        """The message translated by `gettext(message, **params)`, texts in `lang` (a parameter
        that is itself a Problem is rendered the same way first)."""
        params = {
            k: v.get(lang) if isinstance(v, Text) else v.render(gettext, lang)
            if isinstance(v, Problem) else v
            for k, v in self.params.items()
        }  # fmt: skip
        return gettext(self.message, **params)
