"""Message markers for domain code, which must not import Flask.

Domain modules mark user-facing messages with `N_` so `pybabel extract -k N_` finds them; the web
layer translates them at render time with `gettext(message, **params)`.
"""

from dataclasses import dataclass, field


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Problem:
    """A user-facing problem: an untranslated message with its parameters."""

    message: str
    params: dict = field(default_factory=dict)
