"""Resume codes are easy to type on a phone and carry at least 60 bits of randomness."""

from __future__ import annotations

import math

from bot.ids import CODE_ALPHABET, RandomIds, normalise_code


def test_resume_codes_are_long_random_and_readable() -> None:
    ids = RandomIds()
    codes = {ids.resume_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 5] and set(code.replace("-", "")) <= set(CODE_ALPHABET)
    bits = len(next(iter(codes)).replace("-", "")) * math.log2(len(CODE_ALPHABET))
    assert bits >= 60
    assert not set("ILOU") & set(CODE_ALPHABET)


def test_typing_mistakes_that_do_not_matter() -> None:
    assert normalise_code(" abcd-efgh jkmn p ") == "ABCDEFGHJKMNP"
    assert normalise_code("0OIL1") == "00111"  # O reads as zero, I and L as one


def test_references_name_the_year() -> None:
    assert RandomIds().reference().startswith("ICF-20")
