"""Translatable text as data, and how a translator turns it into words.

Replies carry :class:`Text` (an English message id plus named parameters), never finished strings,
so each channel renders them in the person's own language on every turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from babel.lists import format_list

__all__ = ["NP_", "N_", "Listed", "Plural", "Text", "Translator", "counted", "language_of", "render"]

Plural = tuple[str, str]


def N_(message: str) -> str:
    """Mark a message id for extraction; translation happens later, per person."""
    return message


def NP_(singular: str, plural: str) -> Plural:
    """Mark a message with plural forms (extracted with the keyword ``NP_:1,2``)."""
    return singular, plural


class Translator(Protocol):
    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


@dataclass(frozen=True, slots=True)
class Listed:
    """Several labels or names as one list ("A, B and C"), joined the way the language joins lists."""

    items: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Text:
    """One whole sentence or label to translate; ``plural`` and ``count`` select a plural form."""

    msgid: str
    params: Mapping[str, str | int | float | Text | Listed] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    verbatim: bool = False  # the person's own words or a name: shown as given, never translated


FSI, PDI = "\u2068", "\u2069"  # Unicode "first strong isolate" and its end


def render(text: Text, translator: Translator, isolate: bool = False) -> str:
    """The words in the translator's language. ``isolate`` (for right-to-left languages) keeps a
    name or code typed in another script in one piece inside the sentence."""
    if text.verbatim:
        return text.msgid
    if text.plural is not None and text.count is not None:
        pattern = translator.ngettext(text.msgid, text.plural, text.count)
    else:
        pattern = translator.gettext(text.msgid)
    if not text.params and text.count is None:
        return pattern
    values = {key: _param(v, translator, isolate) for key, v in text.params.items()}
    if text.count is not None:
        values.setdefault("count", text.count)
    return pattern.format_map(values)


def counted(message: Plural, count: int, **params: str | int | float | Text | Listed) -> Text:
    """The form of ``message`` that fits ``count``, in whatever language it is rendered."""
    return Text(message[0], params, plural=message[1], count=count)


def language_of(translator: Translator) -> str:
    """The catalog's language (its header's Language), English for the source language."""
    info = getattr(translator, "info", None)
    language = info().get("language", "") if callable(info) else ""
    return str(language or "en")


def _param(
    value: str | int | float | Text | Listed, translator: Translator, isolate: bool
) -> str | int | float:
    if isinstance(value, Listed):
        shown = [str(_param(item, translator, isolate)) for item in value.items]
        language = language_of(translator)
        # British English lists, as people in Kirklees write them ("a, b and c").
        return format_list(shown, locale="en_GB" if language == "en" else language) if shown else ""
    if not isinstance(value, Text):
        return value
    shown_text = render(value, translator, isolate)
    return f"{FSI}{shown_text}{PDI}" if isolate and value.verbatim else shown_text
