"""Replies as channel-neutral data: text, choices, an optional document, and facts for programs.

Telegram turns choices into inline keyboards, the web into buttons, the terminal into numbers.
Beside the text, a reply carries what a program needs without reading words (which are translated):
where in the evaluation it is, the suggested score, a code or reference when one is given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from dialogs.i18n import Text

__all__ = ["Choice", "ChoiceKind", "Document", "Place", "Reply"]


class ChoiceKind(StrEnum):
    ANSWER = "answer"  # an answer to the question being asked
    NAV = "nav"  # a command: back, skip, help, pause, summary, language, delete


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: Text
    kind: ChoiceKind = ChoiceKind.ANSWER
    selected: bool | None = None  # set on toggles when several answers may be chosen
    suggested: bool = False  # the answer the assistant suggests (the score from the checklist answers)
    secondary: bool = False  # a command offered on every reply (pause, summary, ...): a menu, not a button


@dataclass(frozen=True, slots=True)
class Document:
    """A document to offer beside the chat, such as the support plan."""

    kind: str
    title: Text
    data: Any = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where a question about one approach is: part 3 of 5, question 2 of 4."""

    approach: str
    part: int
    parts: int
    question: int | None = None
    questions: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "approach": self.approach,
            "part": self.part,
            "parts": self.parts,
            "question": self.question,
            "questions": self.questions,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    lines: tuple[Text, ...]
    choices: tuple[Choice, ...] = ()
    multiple: bool = False  # choices are toggles confirmed with a "done" choice
    free_text: bool = False  # the person may type an answer
    document: Document | None = None
    progress: Text | None = None  # "Part 2 of 5: Communicating", shown where a channel has room
    step: str = ""
    place: Place | None = None
    suggested_score: int | None = None
    resume_code: str | None = None  # given with this reply (a pause, a hand-over)
    reference: str | None = None  # the submission's reference, once sent
    return_code: str | None = None  # to start next year's evaluation from this one
    skipped_parts: tuple[str, ...] = ()  # at the review and the consent: approaches with no answer at all

    @property
    def answer_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.kind is ChoiceKind.ANSWER)

    def with_choices(self, *extra: Choice) -> Reply:
        return replace(self, choices=self.choices + extra)
