"""Gettext catalogs per language, compiled from ``locales/*/LC_MESSAGES/messages.po`` at start-up.

Compiling in memory means a fresh clone needs no manual ``pybabel compile`` step.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dialogs import Translator
from dialogs.messages import LANGUAGE_SELF_NAME

__all__ = ["LOCALES_DIR", "Catalogs", "SOURCE_LANGUAGE"]

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
SOURCE_LANGUAGE = "en"


def _compile(po_path: Path) -> gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Catalogs:
    """Every language the assistant speaks, English first."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translators: dict[str, Translator] = {SOURCE_LANGUAGE: gettext.NullTranslations()}
        for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
            language = po_path.parent.parent.name
            if language != SOURCE_LANGUAGE:
                self._translators[language] = _compile(po_path)
        self.languages = tuple(self._translators)
        self.names = {code: self._own_name(code) for code in self.languages}

    def _own_name(self, language: str) -> str:
        """The language's name in itself, as its catalog words it ("ਪੰਜਾਬੀ (ਗੁਰਮੁਖੀ)"), else Babel's."""
        worded = self._translators[language].gettext(LANGUAGE_SELF_NAME)
        if language == SOURCE_LANGUAGE or worded != LANGUAGE_SELF_NAME:
            return worded
        return Locale.parse(language).get_display_name() or language

    def translator(self, language: str) -> Translator:
        return self._translators.get(language, self._translators[SOURCE_LANGUAGE])

    def best_match(self, requested: str | None) -> str:
        """The language to start in, from a browser or Telegram hint such as ``ur-PK``."""
        if not requested:
            return SOURCE_LANGUAGE
        base = requested.replace("_", "-").split("-", 1)[0].lower()
        return base if base in self._translators else SOURCE_LANGUAGE

    @staticmethod
    def direction(language: str) -> str:
        return "rtl" if Locale.parse(language).text_direction == "rtl" else "ltr"
