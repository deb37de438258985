"""The web pages' own words: plain English, and found by ``icf i18n extract`` for the translators."""

from __future__ import annotations

import re
from pathlib import Path

import textstat
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.web.page_messages import ALL_TABLES
from tests.test_plain_language import MAX_GRADE, SHORTEST, without_names

ROOT = Path(__file__).resolve().parents[2]


def every_message() -> dict[str, str]:
    found: dict[str, str] = {}
    for table, words in ALL_TABLES.items():
        for key, message in words.items():
            for form, text in enumerate(message if isinstance(message, tuple) else (message,)):
                found[f"{table}.{key}.{form}"] = text
    return found


def test_every_sentence_on_the_pages_is_grade_8_or_below() -> None:
    too_hard = {
        name: round(grade, 1)
        for name, text in every_message().items()
        if len(without_names(text).split()) >= SHORTEST
        and (grade := textstat.flesch_kincaid_grade(without_names(text))) > MAX_GRADE
    }
    assert too_hard == {}


def test_the_extractor_finds_every_message_and_plural(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.toml"),
            "-k",
            "NP_:1,2",
            "-o",
            str(template),
            str(ROOT),
        ]
    )
    with template.open("rb") as handle:
        catalog = read_po(handle)
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = {
        name: text for name, text in every_message().items() if name.endswith(".0") and text not in extracted
    }
    assert missing == {}
    plurals = [m for m in catalog if isinstance(m.id, tuple)]
    assert any(re.search(r"\{count\} days after", m.id[1]) for m in plurals)
