"""Telegram's own words: what only a Telegram chat needs to say."""

from __future__ import annotations

from dialogs.i18n import N_

STALE_BUTTON = N_("That button is from an earlier question. Please use the newest one.")
ONLY_TEXT = N_("Sorry, I can only read text. Please type your answer or tap a button.")
EDITED = N_("I keep what you first sent. To change an answer, type back and answer again.")
PLAN_LINK = N_("You can open your plan to print or save it here: {url}")
RESUME_USAGE = N_("Please send your code after the command, like this: /resume ABCD-EFGH-JKMNP")
BAD_CODE = N_("That code did not work. Please check it and try again.")
SLOW_DOWN = N_("You are sending messages very fast. Please wait a moment.")

# Shown in Telegram's command menu (setMyCommands): short, one line each.
COMMAND_START = N_("Start or carry on with your check")
COMMAND_RESUME = N_("Carry on with a code")
COMMAND_BACK = N_("Go back one question")
COMMAND_SKIP = N_("Skip this question")
COMMAND_PAUSE = N_("Pause and get a code")
COMMAND_SUMMARY = N_("See your answers so far")
COMMAND_LANGUAGE = N_("Change the language")
COMMAND_HELP = N_("How this works")
COMMAND_DELETE = N_("Delete everything you told me")

__all__ = [name for name in dir() if name.isupper()]
