"""Random identifiers: conversation ids and tokens, resume codes, submission references."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["CODE_ALPHABET", "RandomIds", "format_code", "new_evaluation_id", "new_token", "normalise_code"]

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed on a phone is hard to get wrong.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 13  # 13 x 5 bits = 65 bits of randomness
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def format_code(raw: str) -> str:
    """ABCD-EFGH-JKMNP: short groups are easier to read out and copy."""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(typed: str) -> str:
    """What a person typed, made comparable: case, spaces, dashes and look-alike letters do not matter."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return cleaned.translate(_LOOKALIKES)


def new_evaluation_id() -> str:
    return uuid.uuid4().hex


def new_token() -> str:
    return secrets.token_urlsafe(32)


class RandomIds:
    """The engine's source of codes; tests pass a fixed one instead."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))

    def resume_code(self) -> str:
        return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))

    def return_code(self) -> str:
        """As strong as a resume code, and in the same form: read out and typed the same way."""
        return self.resume_code()

    def reference(self) -> str:
        year = self._clock().year
        return f"ICF-{year}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
