"""WhatsApp running: the Graph API client, the channel, and the lanes that apply its inbox and
deliver its outbox. The web app's lifespan runs it when WhatsApp is set up (bot/settings.py); the
webhook (bot/whatsapp/webhook.py) only stores what arrives and wakes the lanes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.chats import ChatTurns
from bot.channels.lanes import LaneWorker
from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.settings import Settings
from bot.whatsapp.api import GraphApi
from bot.whatsapp.channel import WhatsAppChannel

__all__ = ["WhatsAppRuntime", "whatsapp_running"]


@dataclass(frozen=True, slots=True)
class WhatsAppRuntime:
    app_secret: str
    verify_token: str
    phone_number_id: str
    key: bytes  # hashes the numbers into chat addresses
    db: AsyncEngine
    worker: LaneWorker
    channel: WhatsAppChannel


@asynccontextmanager
async def whatsapp_running(
    settings: Settings, service: ChatService, plan_links: PlanLinks, clock: Callable[[], datetime]
) -> AsyncIterator[WhatsAppRuntime]:
    """WhatsApp served until the block ends; then the chats in hand finish and deliver (SIGTERM)."""
    api = GraphApi(
        settings.whatsapp_token,
        settings.whatsapp_phone_number_id,
        settings.whatsapp_api_url,
        timeout=settings.whatsapp_timeout,
    )
    channel = WhatsAppChannel(
        api, service, plan_links, clock, reminder_template=settings.whatsapp_reminder_template
    )
    worker = LaneWorker(service.db, [channel], ChatTurns(service, settings.public_url))
    service.on_outbox(worker.wake)
    worker.start()
    try:
        yield WhatsAppRuntime(
            settings.whatsapp_app_secret,
            settings.whatsapp_verify_token,
            settings.whatsapp_phone_number_id,
            settings.secret_key,
            service.db,
            worker,
            channel,
        )
    finally:
        await worker.stop()
        await api.close()
