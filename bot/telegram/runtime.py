"""Telegram inside the web app: started and stopped by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application

from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.channel import TelegramChannel
from bot.telegram.worker import InboxWorker

__all__ = ["TelegramRuntime", "telegram_running"]


@dataclass(frozen=True, slots=True)
class TelegramRuntime:
    secret: str
    sessions: async_sessionmaker[AsyncSession]
    worker: InboxWorker
    application: Application  # type: ignore[type-arg]


@asynccontextmanager
async def telegram_running(
    settings: Settings, service: ChatService, plan_links: PlanLinks, clock: Callable[[], datetime]
) -> AsyncIterator[TelegramRuntime]:
    channel = TelegramChannel(service, plan_links, clock)
    application = build_application(
        settings.telegram_token, channel, settings.telegram_api_url or None, rate=settings.telegram_rate
    )
    await application.initialize()
    worker = InboxWorker(service.sessions, channel, application.bot, clock, lanes=settings.telegram_chats)
    task = asyncio.create_task(worker.run(), name="telegram-inbox")
    try:
        yield TelegramRuntime(settings.telegram_webhook_secret, service.sessions, worker, application)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await application.shutdown()
