"""User text on the board's surfaces: never able to disguise itself or the text around it.

Bidirectional controls (embeddings, overrides, isolates and the invisible direction marks) are
dropped from every piece of user text on the pages, in the report, and in CSV and XLSX: with them
"Org \u202egnp.exe" shows as "Org exe.png". On a page each piece of user text is also isolated in
``<bdi>``, so a right-to-left name (Urdu, Arabic) cannot reorder the words beside it. The text is
otherwise kept exactly as typed. Names lose the same characters when they are stored
(``storage.organisations.clean_name``), which owns the list of them.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from storage.organisations import BIDI_CONTROLS

__all__ = ["direction", "isolated", "language_name", "plain"]

_DROP = {ord(c): None for c in BIDI_CONTROLS}


def plain(text: object) -> str:
    """The text without bidirectional controls (``None`` as an empty text)."""
    return "" if text is None else str(text).translate(_DROP)


def isolated(text: object) -> Markup:
    """For a template: escaped, without bidirectional controls, in its own ``<bdi>``."""
    return Markup("<bdi>%s</bdi>") % escape(plain(text))


def _locale(code: object) -> Locale | None:
    try:
        return Locale.parse(str(code))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def direction(code: object) -> str:
    """How text in the language is written: "rtl" (Urdu, Arabic) or "ltr"."""
    found = _locale(code)
    return "rtl" if found is not None and found.text_direction == "rtl" else "ltr"


def language_name(code: object) -> str:
    """The language's English name ("Urdu"), for the board's English pages; else the code itself."""
    found = _locale(code)
    return (found.get_display_name("en") if found is not None else None) or str(code)
