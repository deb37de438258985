"""Choices as WhatsApp shows them: up to three as reply buttons, four to ten as a list, more as
numbered text to type.

Each option's id is ``<version>:<choice id>``, the version the conversation had when it was shown:
a tap on an older one is spotted inside the turn's transaction and changes nothing. Back, skip and
help go beside the answers when there is room; the other commands (pause, summary, language,
delete) are words to type, as the help says. Titles are shortened at a word (buttons 20
characters, list rows 24), and a list row keeps the whole label as its description.
"""

from __future__ import annotations

from typing import Any

from bot.whatsapp.text import shorten

__all__ = ["BUTTONS", "ROWS", "buttons", "numbered", "option_id", "parse_option", "rows", "shown_as"]

BUTTONS = 3  # reply buttons on one message
ROWS = 10  # rows of one list message
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20  # the button that opens the list
OPTION_ID = 200  # a list row's id; a reply button's may be 256
SELECTED = "✅ "
SKIP = "/skip"


def option_id(version: int, choice_id: str) -> str:
    value = f"{version}:{choice_id}"
    if len(value) > OPTION_ID:
        raise ValueError(f"choice id too long for a WhatsApp option: {choice_id!r}")
    return value


def parse_option(value: str | None) -> tuple[int, str] | None:
    version, _, choice = (value or "").partition(":")
    if not version.isdigit() or not choice:
        return None
    return int(version), choice


def _label(choice: dict[str, Any]) -> str:
    return (SELECTED if choice.get("selected") else "") + " ".join(str(choice["label"]).split())


def shown_as(reply: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """How a reply's choices are shown: ("buttons" | "list" | "numbers" | "none", the choices).

    Skip goes with the answers wherever there is room (the question says it may be skipped); back
    and help where there is room for all three, else they are typed."""
    visible = [c for c in reply["choices"] if not c.get("secondary")]
    answers = [c for c in visible if c["kind"] != "nav"]
    commands = [c for c in visible if c["kind"] == "nav"]
    skip = [c for c in commands if c["id"] == SKIP]
    if not visible:
        return "none", []
    if len(answers) > ROWS:
        return "numbers", answers
    for offered in (answers + commands, answers + skip):
        if len(offered) <= BUTTONS and all(len(_label(c)) <= BUTTON_TITLE for c in offered):
            return "buttons", offered
    for offered in (answers + commands, answers + skip, answers):
        if offered and len(offered) <= ROWS:
            return "list", offered
    return "list", commands[:ROWS]


def buttons(choices: list[dict[str, Any]], version: int) -> dict[str, Any]:
    return {
        "buttons": [
            {"type": "reply", "reply": {"id": option_id(version, c["id"]), "title": _label(c)}}
            for c in choices
        ],
    }


def rows(choices: list[dict[str, Any]], version: int, button: str) -> dict[str, Any]:
    listed = []
    for choice in choices:
        label = _label(choice)
        row = {"id": option_id(version, choice["id"]), "title": shorten(label, ROW_TITLE)}
        if row["title"] != label:
            row["description"] = shorten(label, ROW_DESCRIPTION)
        listed.append(row)
    return {"button": shorten(button, LIST_BUTTON), "sections": [{"rows": listed}]}


def numbered(choices: list[dict[str, Any]]) -> str:
    """The answers to type by number: the engine reads "7" as the seventh answer."""
    return "\n".join(f"{number}. {_label(choice)}" for number, choice in enumerate(choices, start=1))
