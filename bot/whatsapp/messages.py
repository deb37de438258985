"""WhatsApp's own words: what only a WhatsApp chat needs to say (the rest: bot/channels/messages.py)."""

from __future__ import annotations

from dialogs.i18n import N_

# TRANSLATORS: the button under a WhatsApp message that opens its list of answers. At most 20 characters.
CHOOSE = N_("Choose an answer")

__all__ = [name for name in dir() if name.isupper()]
