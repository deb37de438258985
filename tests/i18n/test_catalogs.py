"""Every catalog complete and really loaded; every language in its own name and direction."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n_tools import LANGUAGES, check_all
from bot.translations import LOCALES_DIR, Catalogs
from dialogs import messages

PLACEHOLDERS_ONLY = re.compile(r"^[\s{}a-z_():.,-]*$")


def test_every_catalog_is_complete_with_placeholders_kept() -> None:
    reports = check_all()
    assert [r.language for r in reports] == list(LANGUAGES)
    assert {r.language: r.problems for r in reports if r.problems} == {}
    assert all(r.total >= 200 and r.review_status for r in reports)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_just_the_english(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    same = [
        m.id
        for m in catalog
        if m.id and m.string == m.id and not PLACEHOLDERS_ONLY.match(m.id if isinstance(m.id, str) else "")
    ]
    assert same == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_really_loads(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        expected = read_po(po)[messages.WELCOME].string
    translator = Catalogs().translator(language)
    assert translator.gettext(messages.WELCOME) == expected != messages.WELCOME
    one, many = messages.PAUSED
    assert translator.ngettext(one, many, 30) != many  # plural forms load too


def test_languages_are_offered_in_their_own_names_and_directions() -> None:
    catalogs = Catalogs()
    assert catalogs.languages == ("en", "ar", "gu", "pa", "pl", "ro", "ur")
    assert [catalogs.direction(code) for code in ("ar", "ur", "pl", "pa")] == ["rtl", "rtl", "ltr", "ltr"]
    assert catalogs.best_match("ur-PK") == "ur" and catalogs.best_match("fr") == "en"
