"""``icf telegram``: run by polling (no public address needed) or register the webhook."""

from __future__ import annotations

import asyncio
import signal

from bot.channels.seam import text_limit
from bot.ids import RandomIds
from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.settings import Settings, SettingsError
from bot.telegram.app import ALLOWED_UPDATES, build_bot, register_commands
from bot.telegram.runtime import telegram_running
from bot.telegram.webhook import SECRET_HEADER
from bot.translations import Catalogs
from dialogs import Engine, load_default_content
from storage import create_engine, upgrade_engine, utcnow

__all__ = ["poll", "set_webhook"]


def _need_token(settings: Settings) -> str:
    if not settings.telegram_token:
        raise SettingsError("set TELEGRAM_BOT_TOKEN (from BotFather) first")
    return settings.telegram_token


async def poll(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Fetch updates with getUpdates into the inbox and serve them, until stopped (SIGTERM, Ctrl-C):
    then the chats in hand finish and their replies are delivered before the process ends."""
    _need_token(settings)
    db = create_engine(settings.database_url)
    await upgrade_engine(db)
    catalogs = Catalogs()
    engine = Engine(load_default_content(), RandomIds(), max_text=text_limit(settings.max_text))
    service = ChatService(engine, db, catalogs, settings)
    links = PlanLinks(settings.secret_key, settings.public_url, settings.resume_days)
    stop = stop or _stop_on_signals()
    try:
        async with telegram_running(settings, service, links, utcnow, polling=True) as telegram:
            await telegram.bot.delete_webhook()  # polling and a webhook cannot both be set
            await register_commands(telegram.bot, catalogs)
            await stop.wait()
    finally:
        await db.dispose()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def set_webhook(settings: Settings) -> str:
    """Point Telegram at ICF_PUBLIC_URL/telegram/webhook, with the secret, and set the command menu."""
    token = _need_token(settings)
    if not settings.telegram_webhook_secret:
        raise SettingsError("set TELEGRAM_WEBHOOK_SECRET (16+ random letters, digits, _ or -) first")
    if not settings.public_url.startswith("https://") and not settings.telegram_api_url:
        raise SettingsError("Telegram only calls https addresses: set ICF_PUBLIC_URL to https://...")
    url = f"{settings.public_url}/telegram/webhook"
    bot = build_bot(token, settings.telegram_api_url or None)
    async with bot:
        await bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
        await register_commands(bot, Catalogs())
    return f"{url} (Telegram sends the secret in {SECRET_HEADER})"
