"""Telegram running: the Bot, the channel, and the lanes that apply its inbox and deliver its outbox.

The web app's lifespan runs it for the webhook; ``icf telegram --polling`` runs it with the poller.
Either way an update is stored in the inbox first and applied from there: one path, one guarantee.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.background import ended
from bot.channels.chats import ChatTurns
from bot.channels.lanes import LaneWorker
from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.settings import Settings
from bot.telegram.app import TelegramBot, build_bot
from bot.telegram.channel import TelegramChannel
from bot.telegram.polling import poll_updates

__all__ = ["TelegramRuntime", "telegram_running"]


@dataclass(frozen=True, slots=True)
class TelegramRuntime:
    secret: str
    db: AsyncEngine
    worker: LaneWorker
    bot: TelegramBot
    channel: TelegramChannel


@asynccontextmanager
async def telegram_running(
    settings: Settings,
    service: ChatService,
    plan_links: PlanLinks,
    clock: Callable[[], datetime],
    *,
    polling: bool = False,
) -> AsyncIterator[TelegramRuntime]:
    """Telegram served until the block ends; then the chats in hand finish and deliver (SIGTERM)."""
    bot = build_bot(
        settings.telegram_token,
        settings.telegram_api_url or None,
        rate=settings.telegram_rate,
        timeout=settings.telegram_timeout,
    )
    await bot.initialize()  # getMe: the bot's own name, to tell commands for it from others'
    channel = TelegramChannel(bot, service, plan_links, clock, timeout=settings.telegram_timeout)
    worker = LaneWorker(
        service.db, [channel], ChatTurns(service, settings.public_url), concurrency=settings.telegram_chats
    )
    service.on_outbox(worker.wake)
    worker.start()
    poller = (
        asyncio.create_task(poll_updates(bot, service.db, worker), name="telegram-polling")
        if polling
        else None
    )
    try:
        yield TelegramRuntime(settings.telegram_webhook_secret, service.db, worker, bot, channel)
    finally:
        if poller is not None:
            # what it fetched but did not store yet is not confirmed: Telegram sends it again
            await ended(poller)
        await worker.stop()
        await bot.shutdown()
