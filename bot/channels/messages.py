"""Words every messenger channel (Telegram, WhatsApp) says outside the conversation itself."""

from __future__ import annotations

from dialogs.i18n import N_

STALE_BUTTON = N_("That button is from an earlier question. Please use the newest one.")
ONLY_TEXT = N_("Sorry, I can only read text. Please type your answer or tap a button.")
EDITED = N_("I keep what you first sent. To change an answer, type back and answer again.")
PLAN_LINK = N_("You can open your plan to print or save it here: {url}")
RESUME_USAGE = N_("Please send your code after the command, like this: /resume ABCD-EFGH-JKMNP")
BAD_CODE = N_("That code did not work. Please check it and try again.")
SLOW_DOWN = N_("You are sending messages very fast. Please wait a moment.")
# To the chat a conversation left: someone carried it on with its resume code somewhere else.
CARRIED_ON = N_(
    "This check now goes on somewhere else, with its code. Nothing you send here changes it now. "
    "Send /start to begin a new one."
)
# Every later message from that chat, until it starts anew or resumes.
DETACHED = N_(
    "This chat is not linked to a check now. Send /start to begin a new one, "
    "or /resume and your code to carry on."
)
PRIVACY = N_("Who runs this service, what we keep and who can see it: {url}")
FAILED = N_("Sorry, something went wrong with your last message. Please send it again.")
# TRANSLATORS: a reminder the person asked for; {names} is a list of approaches' names.
REMINDER = N_(
    "Hello again! You asked me to remind you today. It is time for a quick check of these parts: "
    "{names}. Send /start to begin."
)

__all__ = [name for name in dir() if name.isupper()]
