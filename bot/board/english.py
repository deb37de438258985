"""English beside the words people typed in another language: the translators' queue, and the
English versions (the person's own, or a translator's, with who and when) that board pages, the
report and the exports show next to the original.

Pure: the rows come from ``storage.translations``; nothing here does I/O. The export's extra
columns are all here (``ENGLISH_COLUMNS``, ``with_english``), so the export itself only lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from bot.board import messages as m
from dialogs.stored import Shape, TypedWords, typed_words
from storage.translations import Original

__all__ = [
    "ENGLISH_COLUMNS",
    "EXPORTED",
    "FIELD_LABELS",
    "RESPONDENT",
    "Version",
    "Waiting",
    "versions",
    "waiting_items",
    "with_english",
]

Key = tuple[str, str]  # (approach id, field)
RESPONDENT = m.Message(m.RESPONDENT)  # who wrote the English, when the person added it themselves
# The names (board messages) of the answers that can carry an English version (dialogs.stored).
FIELD_LABELS = {
    "reflection": m.REFLECTION_FIELD,
    "story": m.STORY_FIELD,
    "support_other": m.SUPPORT_OTHER_FIELD,
    "action": m.ACTION_FIELD,
}
EXPORTED = ("story", "support_other", "action")  # the export has no reflection column


class _Translated(Protocol):
    text: str
    translated_by: str
    translated_at: datetime


@dataclass(frozen=True, slots=True)
class Version:
    """An English version of an answer: ``by`` is a translator's email, or None for the person's own."""

    text: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Waiting:
    """One answer in a translator's queue: the words as typed, and where they belong."""

    evaluation_id: str
    approach_id: str
    field: str
    language: str
    text: str
    queued_at: datetime


def versions(answers: Any, translated: Mapping[Key, _Translated], shape: Shape) -> dict[Key, Version]:
    """Every English version of the evaluation's typed answers: the person's own, else a translator's."""
    found: dict[Key, Version] = {}
    for words in typed_words(answers, shape):
        key = (words.approach_id, words.field)
        if words.english:
            found[key] = Version(words.english, None, None)
        elif key in translated:
            t = translated[key]
            found[key] = Version(t.text, t.translated_by, t.translated_at)
    return found


def _own_english(answers: Any) -> bool:
    """Whether the person added English anywhere (most evaluations are in English: a quick look)."""
    by_approach = answers.get("by_approach") if isinstance(answers, dict) else None
    return isinstance(by_approach, dict) and any(
        isinstance(given, dict) and given.get("english") for given in by_approach.values()
    )


def _untranslated(words: TypedWords, done: set[Key]) -> bool:
    return not words.english and (words.approach_id, words.field) not in done


def waiting_items(originals: Iterable[Original], done: Mapping[str, set[Key]], shape: Shape) -> list[Waiting]:
    """The answers with no English version yet, the longest waiting first."""
    return [
        Waiting(row.evaluation_id, words.approach_id, words.field, row.language, words.text, row.queued_at)
        for row in originals
        for words in typed_words(row.answers, shape)
        if _untranslated(words, done.get(row.evaluation_id, set()))
    ]


# -- the export's columns -------------------------------------------------------------------------

# (field of the export row, header, width): for each exported answer, its English, by whom, when (UTC).
# The headers are whole messages of the board's domain (bot/board/messages.py), translated when written.
ENGLISH_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("story_english", m.STORY_ENGLISH, 50),
    ("story_english_by", m.STORY_ENGLISH_BY, 24),
    ("story_english_at", m.STORY_ENGLISH_AT, 18),
    ("support_other_english", m.SUPPORT_OTHER_ENGLISH, 50),
    ("support_other_english_by", m.SUPPORT_OTHER_ENGLISH_BY, 24),
    ("support_other_english_at", m.SUPPORT_OTHER_ENGLISH_AT, 18),
    ("action_english", m.ACTION_ENGLISH, 50),
    ("action_english_by", m.ACTION_ENGLISH_BY, 24),
    ("action_english_at", m.ACTION_ENGLISH_AT, 18),
)


R = TypeVar("R")  # an export row: a named tuple with evaluation_id, approach_id and the columns above


def _cells(english: Mapping[Key, Version]) -> dict[str, dict[str, object]]:
    """Approach id -> the export row's English columns that have something."""
    cells: dict[str, dict[str, object]] = {}
    for (approach_id, name), version in english.items():
        if name in EXPORTED:
            cells.setdefault(approach_id, {}).update(
                {
                    f"{name}_english": version.text,
                    f"{name}_english_by": version.by or RESPONDENT,
                    f"{name}_english_at": version.at,
                }
            )
    return cells


def with_english(
    rows: Sequence[R],
    answers: Mapping[str, Any],
    translated: Mapping[str, Mapping[Key, _Translated]],
    shape: Shape,
) -> list[R]:
    """The export's rows with the English columns filled: ``answers`` and ``translated`` by evaluation
    id. CPU work for a large export, so it runs on the export's worker thread."""
    found: dict[str, dict[str, dict[str, object]]] = {}
    filled: list[R] = []
    for row in rows:
        named: Any = row
        evaluation_id = named.evaluation_id
        cells = found.get(evaluation_id)
        if cells is None:
            given, done = answers.get(evaluation_id), translated.get(evaluation_id, {})
            english = versions(given, done, shape) if done or _own_english(given) else {}
            cells = found[evaluation_id] = _cells(english)
        extra = cells.get(named.approach_id)
        filled.append(named._replace(**extra) if extra else row)
    return filled
