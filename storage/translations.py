"""English versions that translators add beside words typed in another language.

A translation is a row of its own beside the evaluation: the stored answers (the original words)
are never written to. Which evaluations a translator may read is ``storage.access.translatable``;
a translation goes with its evaluation when the person erases it (``storage.conversations.erase``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.access import Role, Viewer, translatable, visible
from storage.accounts import languages_of
from storage.models import BoardUser, Evaluation, Submission, Translation

__all__ = [
    "Original",
    "Referenced",
    "add",
    "erase",
    "for_evaluation",
    "for_export",
    "for_references",
    "original",
    "translator_languages",
    "waiting",
]

Key = tuple[str, str]  # (approach id, field)


class Original(NamedTuple):
    """A translatable evaluation as a translator's queue reads it: its language and typed answers."""

    evaluation_id: str
    language: str
    answers: Any
    queued_at: datetime


def _originals() -> Any:
    return select(Evaluation.id, Evaluation.language, Evaluation.answers, Submission.queued_at).join(
        Submission, Submission.evaluation_id == Evaluation.id
    )


async def waiting(session: AsyncSession, viewer: Viewer) -> tuple[list[Original], dict[str, set[Key]]]:
    """The evaluations whose words the viewer may translate, the longest waiting first, and which of
    their answers have a translation already."""
    query = _originals().where(translatable(viewer)).order_by(Submission.queued_at, Evaluation.id)
    rows = [Original(*row) for row in await session.execute(query)]
    done: dict[str, set[Key]] = {}
    translated = (
        select(Translation.evaluation_id, Translation.approach_id, Translation.field)
        .join(Evaluation, Evaluation.id == Translation.evaluation_id)
        .where(translatable(viewer))
    )
    for evaluation_id, approach_id, field in await session.execute(translated):
        done.setdefault(evaluation_id, set()).add((approach_id, field))
    return rows, done


async def original(session: AsyncSession, viewer: Viewer, evaluation_id: str) -> Original | None:
    """One evaluation the viewer may translate, or None (the same for one that does not exist)."""
    query = _originals().where(Evaluation.id == evaluation_id, translatable(viewer))
    row = (await session.execute(query)).first()
    return Original(*row) if row else None


async def add(
    session: AsyncSession,
    found: Original,
    key: Key,
    text: str,
    by: str,
    user_id: int | None,
    now: datetime,
) -> Translation:
    """Keep the English beside the original; a second one for the same answer breaks the unique key
    (two translators at once): the caller's transaction then fails and nothing is kept twice."""
    translation = Translation(
        evaluation_id=found.evaluation_id,
        approach_id=key[0],
        field=key[1],
        language=found.language,
        text=text,
        translated_by=by[:254],
        user_id=user_id,
        translated_at=now,
    )
    session.add(translation)
    await session.flush()
    return translation


async def for_evaluation(session: AsyncSession, evaluation_id: str) -> dict[Key, Translation]:
    """The translations of one evaluation (the caller has checked the viewer may see it)."""
    query = select(Translation).where(Translation.evaluation_id == evaluation_id)
    return {(t.approach_id, t.field): t for t in (await session.execute(query)).scalars()}


async def for_export(
    session: AsyncSession, viewer: Viewer, year: int | None
) -> dict[str, dict[Key, Translation]]:
    """Evaluation id -> its translations, for every evaluation the viewer sees (in ``year``)."""
    query = (
        select(Translation)
        .join(Evaluation, Evaluation.id == Translation.evaluation_id)
        .join(Submission, Submission.evaluation_id == Evaluation.id)
        .where(visible(viewer))
    )
    if year is not None:
        query = query.where(Submission.year == year)
    found: dict[str, dict[Key, Translation]] = {}
    for t in (await session.execute(query)).scalars():
        found.setdefault(t.evaluation_id, {})[(t.approach_id, t.field)] = t
    return found


class Referenced(NamedTuple):
    language: str
    answers: Any
    translations: dict[Key, Translation]


async def for_references(
    session: AsyncSession, viewer: Viewer, references: Sequence[str]
) -> dict[str, Referenced]:
    """Reference -> the language, answers and translations of the evaluations the viewer sees among
    them (a page's few stories)."""
    if not references:
        return {}
    query = (
        select(Submission.reference, Evaluation.id, Evaluation.language, Evaluation.answers)
        .join(Evaluation, Evaluation.id == Submission.evaluation_id)
        .where(Submission.reference.in_(list(references)), visible(viewer))
    )
    rows = (await session.execute(query)).all()
    ids = {evaluation_id: reference for reference, evaluation_id, _, _ in rows}
    found = {reference: Referenced(language, answers, {}) for reference, _, language, answers in rows}
    translations = select(Translation).where(Translation.evaluation_id.in_(list(ids)))
    for t in (await session.execute(translations)).scalars():
        found[ids[t.evaluation_id]].translations[(t.approach_id, t.field)] = t
    return found


async def translator_languages(session: AsyncSession) -> set[str]:
    """Every language some enabled translator account reads."""
    query = select(BoardUser.languages).where(
        BoardUser.role == Role.TRANSLATOR, BoardUser.disabled_at.is_(None)
    )
    return {code for (listed,) in await session.execute(query) for code in languages_of(listed)}


async def erase(connection: AsyncConnection, evaluation_id: str) -> None:
    """The person erased their evaluation: the English versions of their words go too."""
    await connection.execute(delete(Translation).where(Translation.evaluation_id == evaluation_id))
