"""Telegram's own words: what only a Telegram chat needs to say (the rest: bot/channels/messages.py)."""

from __future__ import annotations

from dialogs.i18n import N_

# In a group: the check is done one to one, never in front of the group.
GROUP_PRIVATE = N_("Hello! I do the check one to one, not in a group. Tap the button to talk to me alone.")
OPEN_PRIVATE = N_("Talk to me alone")

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
COMMAND_PRIVACY = N_("Who sees your answers")

__all__ = [name for name in dir() if name.isupper()]
