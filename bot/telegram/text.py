"""Fitting text into Telegram messages."""

from __future__ import annotations

__all__ = ["MESSAGE_LIMIT", "split_message"]

MESSAGE_LIMIT = 4096


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, broken at a paragraph, line or space, never mid-word
    (unless one word alone is longer than the limit)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest[: limit + 1], limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut(window: str, limit: int) -> int:
    """Where to break: the last paragraph or line break in the second half, else the last space."""
    for separator in ("\n\n", "\n"):
        position = window.rfind(separator)
        if position > limit // 2:
            return position
    position = window.rfind(" ")
    return position if position > 0 else limit
