"""Choices as inline keyboards, and the callback data that comes back when one is pressed.

Callback data is ``<version>:<choice id>``: the version the conversation had when the keyboard was
sent. A press on an older keyboard is spotted inside the turn's transaction and changes nothing.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

__all__ = ["CALLBACK_LIMIT", "callback_data", "keyboard", "parse_callback"]

CALLBACK_LIMIT = 64  # bytes, Telegram's limit on callback data
SELECTED = "✅ "


def callback_data(version: int, choice_id: str) -> str:
    data = f"{version}:{choice_id}"
    if len(data.encode("utf-8")) > CALLBACK_LIMIT:
        raise ValueError(f"choice id too long for a Telegram button: {choice_id!r}")
    return data


def parse_callback(data: str | None) -> tuple[int, str] | None:
    version, _, choice = (data or "").partition(":")
    if not version.isdigit() or not choice:
        return None
    return int(version), choice


def keyboard(reply: dict[str, Any], version: int) -> InlineKeyboardMarkup | None:
    """One answer a row (labels can be long), with back, skip and help together in the last row."""
    rows: list[list[InlineKeyboardButton]] = []
    nav: list[InlineKeyboardButton] = []
    for choice in reply["choices"]:
        if choice.get("secondary"):
            continue  # pause, summary, language, delete: in Telegram's command menu instead
        label = (SELECTED if choice.get("selected") else "") + choice["label"]
        button = InlineKeyboardButton(label, callback_data=callback_data(version, choice["id"]))
        if choice["kind"] == "nav":
            nav.append(button)
        else:
            rows.append([button])
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None
