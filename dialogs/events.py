"""What goes into the engine (events, the per-turn context) and what comes out (outcomes, effects)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from dialogs.i18n import Translator
from dialogs.replies import Reply
from dialogs.state import ConversationState

__all__ = [
    "COMMANDS",
    "Command",
    "Complete",
    "Context",
    "Effect",
    "Erase",
    "Event",
    "EventKind",
    "Ids",
    "IssueResumeCode",
    "IssueReturnCode",
    "Outcome",
    "Remind",
    "Submit",
    "clean_name",
    "clean_text",
]


class EventKind(StrEnum):
    START = "start"  # a new conversation
    TEXT = "text"  # something typed
    CHOICE = "choice"  # a button or menu choice, by its id
    RESUME = "resume"  # the person came back with a resume code, perhaps on another device


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    value: str = ""

    @classmethod
    def start(cls) -> Event:
        return cls(EventKind.START)

    @classmethod
    def text(cls, value: str) -> Event:
        return cls(EventKind.TEXT, value)

    @classmethod
    def choice(cls, value: str) -> Event:
        return cls(EventKind.CHOICE, value)

    @classmethod
    def resume(cls) -> Event:
        return cls(EventKind.RESUME)


class Command(StrEnum):
    BACK = "back"
    SKIP = "skip"
    HELP = "help"
    PAUSE = "pause"
    SUMMARY = "summary"
    LANGUAGE = "language"
    DELETE = "delete"


COMMANDS = frozenset(Command)


class Ids(Protocol):
    """Makes the random codes the engine hands out; injected so tests can fix them."""

    def resume_code(self) -> str: ...

    def return_code(self) -> str: ...

    def reference(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine needs to know about this turn besides the stored state."""

    translator: Translator
    languages: tuple[str, ...] = ("en",)
    organisations: tuple[str, ...] = ()  # the board's list of partner organisations
    resume_days: int = 30
    language_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # each in itself
    today: date | None = None  # for dates the plan suggests (a re-check in six months)
    tap_choices: bool = False  # the channel shows choices as buttons to tap, not numbers to type
    reminders: bool = False  # the channel can send a reminder later, on a day the person asks for


@dataclass(frozen=True, slots=True)
class IssueResumeCode:
    code: str


@dataclass(frozen=True, slots=True)
class IssueReturnCode:
    """A code that starts next year's evaluation from this one's answers."""

    code: str


@dataclass(frozen=True, slots=True)
class Remind:
    """Send the person a reminder on ``on`` for a quick re-check of ``approaches``."""

    on: date
    approaches: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Submit:
    reference: str
    destination: str  # a dialogs.state.SentTo: the organisation's ICF lead or the board


@dataclass(frozen=True, slots=True)
class Complete:
    """The plan is ready: the evaluation is complete, though not yet sent."""


@dataclass(frozen=True, slots=True)
class Erase:
    """The person asked to delete everything they gave."""


Effect = IssueResumeCode | IssueReturnCode | Remind | Submit | Complete | Erase


@dataclass(frozen=True, slots=True)
class Outcome:
    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = field(default_factory=tuple)


_KEEP = {"\n", "\t"}
# Bidirectional embeddings, overrides and isolates: typed, they make words display as something else
# ("Org \u202egnp.exe" shows as "Org exe.png"). Pages isolate each piece of text themselves.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Names lose the directional marks too: a name is shown on its own, isolated, wherever it appears.
_NAME_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))
# Format characters (Cf) stay: Urdu, Punjabi and Gujarati need the zero-width joiners.
_DROP = {"Cc", "Cs", "Co", "Cn"}
# Terminal escape sequences, whole: a key such as Left arrow (ESC [ D) or Delete (ESC [ 3 ~) sent by a
# terminal without line editing. Dropping only the ESC would keep "[D" as if it had been typed.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: arrows, Delete, Home, colours
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same, as one 8-bit character
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles and the like
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1bO."  # SS3: F1 to F4, and arrows in some modes
    r"|\x1b[@-_]"  # any other two-character escape (ECMA-48's C1 set); a lone ESC goes below
)


def clean_text(value: str) -> str:
    """Drop terminal escapes and control characters (keeping line breaks) and trim; the words
    themselves stay as typed."""
    if value.isprintable():  # no C* or separator characters but spaces: nothing to drop (the usual case)
        kept = value
    else:
        if "\x1b" in value or "\x9b" in value:
            value = _ESCAPES.sub("", value)
        kept = "".join(ch for ch in value if ch in _KEEP or unicodedata.category(ch) not in _DROP)
        kept = kept.translate(_BIDI_CONTROLS)
    return unicodedata.normalize("NFC", kept).strip()


def clean_name(value: str) -> str:
    """A name as it is shown everywhere: one line, no directional marks, spaces collapsed."""
    return " ".join(clean_text(value).translate(_NAME_MARKS).split())
