"""Reading what people type the way they type it: their own script's digits, letter variants and
accents, and the words their language uses for "back", "skip" or "done".

Everything is compared after :func:`fold`: Unicode compatibility normalisation, case folding, and,
for Arabic script, no diacritics and one form of the letters that keyboards write two ways
(Arabic and Persian yeh and kaf, the Urdu heh forms, hamza on alef). Native digits of any script
(Arabic-Indic ٤, Urdu ۴, Gujarati ૪, Gurmukhi ੪, ...) read as the digits they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from dialogs.i18n import Translator

__all__ = ["ascii_digits", "fold", "number", "words"]

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, superscript alef, tatweel
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh (Urdu)
        "\u0649": "\u06cc",  # alef maksura
        "\u06d2": "\u06cc",  # yeh barree: the same word typed two ways
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u06c1": "\u0647",  # heh goal -> heh
        "\u06be": "\u0647",  # heh doachashmee -> heh
        "\u06c2": "\u0647",
        "\u0629": "\u0647",  # teh marbuta
        "\u0623": "\u0627",  # alef with hamza above
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
    }
)
# Romanian s and t with a cedilla (the old keyboards) and with a comma below (the right letters).
_ROMANIAN = str.maketrans({"\u015f": "\u0219", "\u0163": "\u021b"})
_PUNCTUATION = " .!?,;:'\"()[]{}-–—…؟،۔।॥"


@cache
def _digit_table() -> dict[int, str]:
    """Every decimal digit in Unicode's first two planes, where every living script's digits are,
    mapped to 0-9 (built once, on the first text with non-ASCII characters)."""
    table: dict[int, str] = {}
    for code in range(0x20000):
        char = chr(code)
        if unicodedata.category(char) == "Nd" and not char.isascii():
            table[code] = str(unicodedata.decimal(char))
    return table


def ascii_digits(value: str) -> str:
    """۴ ٤ ૪ ੪ and other native digits as 4."""
    if value.isascii():
        return value
    return value.translate(_digit_table())


def fold(value: str) -> str:
    """The form two spellings of the same word share."""
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_ROMANIAN)
    if any("\u0600" <= ch <= "\u06ff" for ch in folded):
        folded = _ARABIC_MARKS.sub("", folded).translate(_LETTERS)
    folded = ascii_digits(folded)
    return " ".join(folded.strip(_PUNCTUATION).split())


def number(value: str) -> int | None:
    """A whole number typed in any script ("4", "۴", " 4. "), or None."""
    folded = fold(value)
    return int(folded) if folded.isdigit() and len(folded) < 4 else None


def words(message: str, translator: Translator) -> frozenset[str]:
    """The words of a "word | another word" message, in English and in the translator's language.

    English always works too: people switch, and help texts elsewhere may use the English words.
    """
    return _words(message, translator.gettext(message))


@cache
def _words(message: str, translated: str) -> frozenset[str]:
    found = {fold(part) for text in (message, translated) for part in text.split("|")}
    return frozenset(word for word in found if word)
