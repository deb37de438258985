"""The terminal's own words, translated like everything else."""

from __future__ import annotations

from dialogs.i18n import N_

PROMPT_HINT = N_("Type a number, or type your answer. Type pause to stop and get a code.")
PLAN_SAVED = N_("Your plan is saved here: {path}")
GOODBYE = N_("Goodbye. Your answers are saved.")
BAD_CODE = N_("That code did not work. Please check it and try again.")
# TRANSLATORS: {words} is a list of the words for back, help, pause ... in your language, joined
# with "or" as your language joins lists (such as "back, help, or pause").
NAV_WORDS = N_("You can also type: {words}")

__all__ = ["BAD_CODE", "GOODBYE", "NAV_WORDS", "PLAN_SAVED", "PROMPT_HINT"]
