"""Everything Telegram: the channel (updates read, replies shown), the Bot, webhook and polling."""

import os

# Opt in now to python-telegram-bot's coming change (retry_after as a timedelta), as its
# deprecation notice asks, so a 429 from Telegram does not raise a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__all__: list[str] = []
