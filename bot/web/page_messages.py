"""The chat page's own words (buttons, labels, status), translated like everything else."""

from __future__ import annotations

from dialogs.i18n import N_

PAGE_WORDS = {
    "title": N_("Inclusive Communities self-check"),
    "heading": N_("Inclusive Communities self-check"),
    "intro": N_("A short chat about how inclusive your work is. Your answers are saved as you go."),
    "messages": N_("Conversation"),
    "your_answer": N_("Your answer"),
    "send": N_("Send"),
    "start_again": N_("Start again"),
    "resume_label": N_("Have a code? Type it here to carry on."),
    "resume": N_("Carry on"),
    "open_plan": N_("Open my plan"),
    "download_plan": N_("Save my plan"),
    "sending": N_("Sending…"),
    "retrying": N_("Lost the link. Trying again…"),
    "failed": N_("Sorry, that did not send. Please try again."),
    "bad_code": N_("That code did not work. Please check it and try again."),
    "you": N_("You"),
    "assistant": N_("Assistant"),
    "elsewhere": N_("Go on with another phone or computer"),
    "elsewhere_text": N_("Open this link or scan the code on your other device. The link works once."),
    "close": N_("Close"),
    "expired": N_("This chat has ended here. You can start again, or carry on with a code."),
}

WIDGET_WORDS = {
    "open": N_("Check how inclusive your work is"),
    "close": N_("Close"),
    "title": N_("Inclusive Communities self-check"),
}

__all__ = ["PAGE_WORDS", "WIDGET_WORDS"]
