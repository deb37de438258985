"""A Babel extractor for the framework content, so translators only ever edit ``.po`` files.

Used from ``babel.cfg`` as ``[dialogs.babel_extract:extract_content: dialogs/data/*.toml]``.
Each message carries a comment telling the translator what it is (and, for questions, the
framework's original wording, which is kept in English for the board).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from dialogs.content import Question, parse_content

__all__ = ["extract_content"]

Extracted = tuple[int, str | None, str, list[str]]


def _line_of(text: str, message: str) -> int:
    index = text.find(message.split("\n", 1)[0])
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


def _asks(question: Question, asked: tuple[Question, ...], what: str) -> str:
    """Tells the translator the framework's wording, and when it is asked in two plain questions, that
    this one asks only part of it (so the translation asks one thing too)."""
    parts = [q for q in asked if q.original_id == question.original_id]
    if len(parts) > 1:
        which = ("first", "second", "third")[min(parts.index(question), 2)]
        return f"{what}, the {which} of {len(parts)} that ask the framework's: {question.original}"
    return f"{what}. The framework says: {question.original}"


def extract_content(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    text = fileobj.read().decode("utf-8")
    content = parse_content(text)

    def item(message: str, comment: str) -> Extracted:
        return (_line_of(text, message), None, message, [comment])

    for approach in content.approaches:
        yield item(approach.name, "The name of one of the five inclusive approaches.")
        yield item(approach.intro, f"What the approach '{approach.name}' means.")
        for question in approach.questions:
            yield item(question.plain, _asks(question, approach.questions, "A yes/no checklist question"))
            if question.first_step:
                yield item(
                    question.first_step,
                    f"A first step for a team that answered 'Not yet' or 'Partly' to: {question.plain}",
                )
        for step in approach.first_steps:
            yield item(step.text, f"A first step for '{approach.name}'.")
        for case in approach.case_studies:
            yield item(case.summary, f"About the Kirklees example '{case.name}' (keep the name as it is).")
    for answer in content.checklist_answers:
        yield item(answer.label, "A quick answer to a checklist question.")
    for level in content.scale:
        yield item(level.label, f"Short label for score {level.value} on the 1-5 scale.")
        yield item(level.meaning, f"What score {level.value} means.")
    for option in content.confidence:
        yield item(option.label, "How confident the team feels.")
    for option in content.support:
        yield item(option.label, "A kind of help the team could ask for.")
    for option in content.evidence:
        yield item(option.label, "Where the evidence for a score can come from.")
    for due in content.due:
        yield item(due.label, "When an action should be done by.")
    for base in content.practice_bases.values():
        yield item(base.summary, f"About the practice base '{base.name}' (keep the name as it is).")
    for heading in content.restorative:
        yield item(heading.plain, f"A heading of the Restorative Approach Checklist: {heading.original}")
        for prompt in heading.prompts:
            yield item(
                prompt.plain, _asks(prompt, heading.prompts, "A yes/no question of the restorative checklist")
            )
