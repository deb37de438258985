"""The shipped framework content: shape, faithfulness to the draft ICF, and plain language."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import textstat

from dialogs.content import Content, load_default_content

APPROACH_IDS = ["connecting", "communicating", "equalising", "trusting", "celebrating"]
QUESTIONS_PER_APPROACH = {
    "connecting": 4,
    "communicating": 3,
    "equalising": 4,
    "trusting": 3,
    "celebrating": 5,
}
MAX_GRADE = 8.0

# The draft framework is not part of the repository: ICF_FRAMEWORK_TEXT names the file
# (.ci/run points it at shared/seeds/001_8c38b3f208ce4523.txt and fails if it is missing).
FRAMEWORK_TEXT = os.environ.get("ICF_FRAMEWORK_TEXT", "").strip()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def content() -> Content:
    return load_default_content()


@pytest.fixture(scope="module")
def framework_text() -> str:
    """The draft framework's words, normalised; skipped (saying why) when no file is named."""
    if not FRAMEWORK_TEXT:
        pytest.skip("set ICF_FRAMEWORK_TEXT to the draft framework's text file to check the original wording")
    path = Path(FRAMEWORK_TEXT)
    if not path.is_file():  # named but missing: a mistake to report, not a check to leave out
        pytest.fail(f"ICF_FRAMEWORK_TEXT names {path}, which is not a file")
    return _normalise(path.read_text(encoding="utf-8"))


def test_five_approaches_and_nineteen_questions(content: Content) -> None:
    assert [a.id for a in content.approaches] == APPROACH_IDS
    counts = {a.id: len(a.questions) for a in content.approaches}
    assert counts == QUESTIONS_PER_APPROACH
    assert sum(counts.values()) == 19


def test_original_wording_is_copied_from_the_framework(content: Content, framework_text: str) -> None:
    originals = [(q.id, q.original) for a in content.approaches for q in a.questions]
    originals += [(h.id, h.original) for h in content.restorative]
    originals += [(p.id, p.original) for _, p in content.restorative_prompts()]
    missing = [
        f"{key}: {original!r}" for key, original in originals if _normalise(original) not in framework_text
    ]
    assert not missing, "wording not found in the draft framework:\n" + "\n".join(missing)


def test_question_ids_are_unique_and_numbered_per_approach(content: Content) -> None:
    ids = [q.id for a in content.approaches for q in a.questions]
    assert len(ids) == len(set(ids))
    for approach in content.approaches:
        for question in approach.questions:
            assert re.fullmatch(rf"{re.escape(approach.id)}\.[1-9][0-9]*", question.id), question.id


def test_every_approach_has_steps_case_studies_and_practice_bases(content: Content) -> None:
    for approach in content.approaches:
        assert approach.first_steps, approach.id
        assert all(step.strip() for step in approach.first_steps), approach.id
        assert approach.case_studies, approach.id
        assert all(c.name.strip() and c.summary.strip() for c in approach.case_studies), approach.id
        assert approach.practice_bases, approach.id
        assert set(approach.practice_bases) <= set(content.practice_bases), approach.id


def test_scale_answers_support_and_version(content: Content) -> None:
    assert [level.value for level in content.scale] == [1, 2, 3, 4, 5]
    assert [a.id for a in content.checklist_answers] == ["yes", "partly", "not_yet", "not_sure"]
    assert "other" in {o.id for o in content.support}
    assert content.version.strip()


def test_strings_are_valid_message_ids(content: Content) -> None:
    bad = [s for s in content.strings() if not s.strip() or any(ch in s for ch in "{}%")]
    assert not bad, f"empty strings or gettext format characters: {bad}"


def _exempt_from_readability(content: Content) -> set[str]:
    """Names and short option labels: a reading grade means nothing for one to three words
    (the single word "Communicating" scores grade 43)."""
    names = {a.name for a in content.approaches}
    labels = {a.label for a in content.checklist_answers}
    labels |= {s.label for s in content.scale}
    labels |= {o.label for o in (*content.confidence, *content.support, *content.evidence, *content.due)}
    return names | labels


def test_plain_strings_read_at_grade_eight_or_below(content: Content) -> None:
    exempt = _exempt_from_readability(content)
    checked = [s for s in content.strings() if s not in exempt]
    # the prose fields must all be among the checked strings
    for approach in content.approaches:
        prose = [approach.intro, *approach.first_steps, *(q.plain for q in approach.questions)]
        prose += [c.summary for c in approach.case_studies]
        assert set(prose) <= set(checked), approach.id
    assert {p.summary for p in content.practice_bases.values()} <= set(checked)

    offenders = [
        (grade, text) for text in checked if (grade := textstat.flesch_kincaid_grade(text)) > MAX_GRADE
    ]
    assert not offenders, f"{len(offenders)} strings read above grade {MAX_GRADE:g}:\n" + "\n".join(
        f"  grade {grade:.1f}: {text}" for grade, text in offenders
    )
