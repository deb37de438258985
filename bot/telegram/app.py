"""The python-telegram-bot ``Bot`` we call the Bot API with, and the command menu.

No ``Application``, ConversationHandler or persistence: updates are stored in our inbox and applied
by our lanes (bot/channels/lanes.py), and the state lives in our database.
"""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.telegram import messages as tm
from bot.translations import Catalogs
from dialogs import Text, render

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "POLL_SECONDS", "TelegramBot", "build_bot", "register_commands"]

TelegramBot = ExtBot[int]  # with AIORateLimiter, whose per-call argument is an int

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_SECONDS = 25  # getUpdates waits this long for an update before answering empty
COMMANDS = (
    ("start", tm.COMMAND_START),
    ("resume", tm.COMMAND_RESUME),
    ("back", tm.COMMAND_BACK),
    ("skip", tm.COMMAND_SKIP),
    ("pause", tm.COMMAND_PAUSE),
    ("summary", tm.COMMAND_SUMMARY),
    ("language", tm.COMMAND_LANGUAGE),
    ("help", tm.COMMAND_HELP),
    ("delete", tm.COMMAND_DELETE),
    ("privacy", tm.COMMAND_PRIVACY),
)


class _RetriedByTheOutbox(logging.Filter):
    """python-telegram-bot's rate limiter logs a 429 it does not retry as an error, with a traceback;
    here the outbox tries it again after Telegram's retry_after, so it is no error of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


def _quiet_retries() -> None:
    limiter_log = logging.getLogger("telegram.ext.AIORateLimiter")
    if not any(isinstance(existing, _RetriedByTheOutbox) for existing in limiter_log.filters):
        limiter_log.addFilter(_RetriedByTheOutbox())


def build_bot(
    token: str, api_url: str | None = None, *, rate: int = 30, timeout: float = 15.0
) -> TelegramBot:
    """``api_url`` points at another Bot API server (a local one, or a test's fake).

    ``rate``: messages a second, all chats together, before sending waits (0: no limit). Telegram
    refuses a bot more than about 30 a second, unless it has raised the bot's limit. A 429 is not
    retried here: the outbox tries again after Telegram's retry_after, without holding other chats.
    ``timeout``: seconds to wait for Telegram's answer before trying again.
    """
    _quiet_retries()
    limiter = AIORateLimiter(overall_max_rate=rate, max_retries=0)
    request = HTTPXRequest(connection_pool_size=64, read_timeout=timeout, write_timeout=timeout)
    polling = HTTPXRequest(connection_pool_size=1, read_timeout=timeout, write_timeout=timeout)
    root = (api_url or "https://api.telegram.org").rstrip("/")
    return ExtBot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request,
        get_updates_request=polling,
        rate_limiter=limiter,
    )


async def register_commands(bot: TelegramBot, catalogs: Catalogs) -> None:
    """The command menu, in every language the assistant speaks."""
    for language in catalogs.languages:
        translator = catalogs.translator(language)
        commands = [BotCommand(name, render(Text(msgid), translator)) for name, msgid in COMMANDS]
        code = None if language == "en" else language
        await bot.set_my_commands(commands, language_code=code)
