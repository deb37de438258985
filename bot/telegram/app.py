"""The python-telegram-bot Application: built once, with one handler that hands every update to
our channel. No ConversationHandler and no persistence: state lives in our database."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.telegram import messages as tm
from bot.telegram.channel import TelegramChannel
from bot.translations import Catalogs
from dialogs import Text, render

__all__ = ["COMMANDS", "build_application", "register_commands"]

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
)


def build_application(
    token: str,
    channel: TelegramChannel | None,
    api_url: str | None = None,
    *,
    polling: bool = False,
    rate: int = 30,
) -> Application:  # type: ignore[type-arg]
    """``api_url`` points at another Bot API server (a local one, or a test's fake); with no
    ``channel`` the application only talks to Telegram (to register the webhook, say).

    ``rate``: messages a second, all chats together, before sending waits (0: no limit). Telegram
    refuses a bot more than about 30 a second, unless it has raised the bot's limit.
    """
    limiter = AIORateLimiter(overall_max_rate=rate, max_retries=3)
    builder = Application.builder().token(token).rate_limiter(limiter)
    if api_url:
        root = api_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    if channel is None:
        return application

    async def on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await channel.handle(update, context.bot)

    application.add_handler(TypeHandler(Update, on_update))
    return application


async def register_commands(application: Application, catalogs: Catalogs) -> None:  # type: ignore[type-arg]
    """The command menu, in every language the assistant speaks."""
    for language in catalogs.languages:
        translator = catalogs.translator(language)
        commands = [BotCommand(name, render(Text(msgid), translator)) for name, msgid in COMMANDS]
        code = None if language == "en" else language
        await application.bot.set_my_commands(commands, language_code=code)
