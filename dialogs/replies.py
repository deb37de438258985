"""Replies as channel-neutral data: text, choices and an optional document.

Telegram turns choices into inline keyboards, the web into buttons, the terminal into numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dialogs.i18n import Text

__all__ = ["Choice", "ChoiceKind", "Document", "Reply"]


class ChoiceKind(StrEnum):
    ANSWER = "answer"  # an answer to the question being asked
    NAV = "nav"  # back, skip, help: moves around the conversation


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: Text
    kind: ChoiceKind = ChoiceKind.ANSWER
    selected: bool | None = None  # set on toggles when several answers may be chosen
    suggested: bool = False  # the answer the assistant suggests (the score from the checklist answers)


@dataclass(frozen=True, slots=True)
class Document:
    """A document to offer beside the chat, such as the support plan."""

    kind: str
    title: Text
    data: Any = None


@dataclass(frozen=True, slots=True)
class Reply:
    lines: tuple[Text, ...]
    choices: tuple[Choice, ...] = ()
    multiple: bool = False  # choices are toggles confirmed with a "done" choice
    free_text: bool = False  # the person may type an answer
    document: Document | None = None
    progress: Text | None = None  # "Approach 2 of 5", shown where a channel has room
    step: str = ""

    @property
    def answer_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.kind is ChoiceKind.ANSWER)

    def with_choices(self, *extra: Choice) -> Reply:
        return Reply(
            self.lines,
            self.choices + extra,
            self.multiple,
            self.free_text,
            self.document,
            self.progress,
            self.step,
        )
