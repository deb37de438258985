"""The commands a person can use at any step, declared once: the engine runs them from this table,
replies offer them as ``nav`` choices with stable ids, and the diagram draws them.

Each command has the words people may type for it, in their own language (a "|"-separated message in
the catalogs), with or without a leading "/". A choice id is the command with its slash ("/back"), so
a client never needs to type an English word.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs import messages as m
from dialogs.events import Command
from dialogs.i18n import Translator
from dialogs.words import fold, words

__all__ = ["COMMANDS_BY_WORD", "COMMAND_TABLE", "CommandSpec", "typed_command", "word_to_type"]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    command: Command
    label: str  # its button
    words: str  # what people may type for it
    goes_to: str  # for the diagram
    always: bool  # offered on every reply (back, skip and help are offered where they apply)

    @property
    def choice_id(self) -> str:
        return f"/{self.command.value}"


COMMAND_TABLE: tuple[CommandSpec, ...] = (
    CommandSpec(Command.BACK, m.BACK, m.WORDS_BACK, "the step before", always=False),
    CommandSpec(Command.SKIP, m.SKIP, m.WORDS_SKIP, "the next step", always=False),
    CommandSpec(Command.HELP, m.HELP, m.WORDS_HELP, "the same step, with help", always=False),
    CommandSpec(Command.PAUSE, m.PAUSE, m.WORDS_PAUSE, "paused", always=True),
    CommandSpec(Command.SUMMARY, m.SUMMARY_BUTTON, m.WORDS_SUMMARY, "the same step, after a summary", True),
    CommandSpec(Command.LANGUAGE, m.LANGUAGE, m.WORDS_LANGUAGE, "choose_language", always=True),
    CommandSpec(Command.DELETE, m.DELETE, m.WORDS_DELETE, "confirm_delete", always=True),
)
COMMANDS_BY_WORD = {spec.command.value: spec for spec in COMMAND_TABLE}


def typed_command(value: str, translator: Translator) -> tuple[Command | None, bool]:
    """The command in what was typed or tapped, and whether it was explicit.

    "/back", "/back@icf_bot" and a tapped "/back" choice are explicit; a bare word such as "back" or
    "پیچھے" may be an answer too, so a free-text step asks what was meant.
    Returns (None, True) for an unknown "/command".
    """
    text = value.strip()
    if text.startswith("/") and len(text) > 1:
        name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].casefold()
        return (COMMANDS_BY_WORD[name].command if name in COMMANDS_BY_WORD else None), True
    folded = fold(text)
    if not folded or len(folded) > 40:
        return None, False
    for spec in COMMAND_TABLE:
        if folded in words(spec.words, translator):
            return spec.command, False
    return None, False


def word_to_type(choice_id: str, translator: Translator) -> str:
    """The word to type for a command, in the person's language: the first of its words ("پیچھے"),
    for a channel with no buttons to show it on."""
    spec = COMMANDS_BY_WORD[choice_id.lstrip("/")]
    return translator.gettext(spec.words).split("|")[0].strip()
