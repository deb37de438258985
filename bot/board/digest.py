"""The daily digest: what arrived since the last one, by e-mail to each board user who asked for it,
and as a signed webhook for scripts.

Each recipient's digest holds what that person may see (``storage.access``): an organisation lead's,
what was sent to them; board staff's, what was sent to the board and the new organisation names to
check. The webhook is the board's view. Each day's digest is written as a delivery row before it is
sent and marked once sent (``storage.digests``), so it goes once, surviving restarts; a failed send
is tried again at the next run. Every digest sent is in the audit log.

E-mail goes through ``ICF_SMTP_URL`` with the standard library's ``smtplib`` on a worker thread
(``smtp://``, ``smtp+starttls://`` or ``smtps://``, with ``user:password@`` when the server needs it).
A day with nothing new for a person sends them nothing. The webhook is a JSON POST with
``X-ICF-Timestamp`` and ``X-ICF-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``<timestamp>.<body>`` with ``ICF_WEBHOOK_SECRET``; ``X-ICF-Delivery`` repeats the
delivery's id, so a receiver can drop a repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background import in_background
from bot.settings import Settings
from storage import audit
from storage import board as board_store
from storage import digests as store
from storage import organisations as organisation_list
from storage.access import Role, Viewer
from storage.models import DigestDelivery

__all__ = ["DigestService", "digests_running", "sign"]

log = logging.getLogger(__name__)
EMAIL, WEBHOOK = "email", "webhook"
SHOWN = 200  # submissions listed in one digest; the rest are counted
CHECK_EVERY = 300.0  # seconds between looks at the clock while the app runs


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook's signature: what a receiver computes to check a delivery came from us."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class _Content:
    rows: list[board_store.QueueRow]
    total: int
    names: list[str]


class DigestService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        templates: Environment,
        clock: Callable[[], datetime],
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.templates = templates
        self.clock = clock
        self.http = http

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_url or self.settings.webhook_url)

    async def run(self) -> list[str]:
        """Plan today's deliveries (once), then send every one not yet sent; returns what was sent."""
        now = self.clock()
        async with self.sessions.begin() as session:
            if self.settings.smtp_url:
                for user in await store.subscribers(session):
                    await store.plan_day(session, now.date(), EMAIL, user.email, now)
            if self.settings.webhook_url:
                await store.plan_day(session, now.date(), WEBHOOK, WEBHOOK, now)
        async with self.sessions() as session:
            waiting = list(await store.unsent(session))
        done = []
        for delivery in waiting:
            if await self._deliver(delivery):
                done.append(f"{delivery.channel} {delivery.recipient}")
        return done

    async def _viewer(self, delivery: DigestDelivery) -> Viewer | None:
        if delivery.channel == WEBHOOK:
            return Viewer(Role.BOARD)
        async with self.sessions() as session:
            user = next((u for u in await store.subscribers(session) if u.email == delivery.recipient), None)
        return Viewer(user.role, user.organisation_id) if user else None

    async def _content(self, viewer: Viewer, delivery: DigestDelivery) -> _Content:
        wanted = board_store.QueueFilter("all", since=delivery.since, until=delivery.until)
        rows: list[board_store.QueueRow] = []
        async with self.sessions() as session:
            page = await board_store.queue(session, viewer, wanted, None, board_store.MAX_PAGE)
            rows, after = list(page.rows), page.next
            while after is not None:  # count the rest, a page at a time
                page = await board_store.queue(session, viewer, wanted, after, board_store.MAX_PAGE)
                rows += page.rows
                after = page.next
            names: list[str] = []
            if viewer.is_board:
                connection = await session.connection()
                pending = await organisation_list.pending(connection, delivery.since, delivery.until)
                names = [o.name for o in pending]
        return _Content(rows[:SHOWN], len(rows), names)

    async def _deliver(self, delivery: DigestDelivery) -> bool:
        async with self.sessions.begin() as session:
            if not await store.claim(session, delivery.id, self.clock()):
                return False  # sent meanwhile, or another process is sending it now
        viewer = await self._viewer(delivery)
        try:
            if viewer is None:
                raise LookupError("the account no longer wants the digest")
            content = await self._content(viewer, delivery)
            if not content.total and not content.names:
                return await self._nothing_new(delivery)
            if delivery.channel == EMAIL:
                await self._email(delivery, content)
            else:
                await self._webhook(delivery, content)
        except (OSError, smtplib.SMTPException, httpx.HTTPError, LookupError, ValueError) as error:
            log.warning("digest %s to %s not sent: %s", delivery.id, delivery.channel, type(error).__name__)
            async with self.sessions.begin() as session:
                await store.failed(session, delivery.id, f"{type(error).__name__}: {error}")
            return False
        async with self.sessions.begin() as session:
            if not await store.sent(session, delivery.id, self.clock()):
                return False
            what = f"digest {delivery.day} to {delivery.channel}, {content.total} submissions"
            audit.audit(session, None, delivery.recipient, "digest", what, self.clock())
        return True

    async def _nothing_new(self, delivery: DigestDelivery) -> bool:
        """Nothing arrived for this person: no message, but the day is done (tomorrow starts here)."""
        async with self.sessions.begin() as session:
            await store.sent(session, delivery.id, self.clock())
        return False

    # -- e-mail -----------------------------------------------------------------------------------

    def _message(self, delivery: DigestDelivery, content: _Content) -> EmailMessage:
        text = self.templates.get_template("digest.txt").render(
            day=delivery.day.isoformat(),
            since=f"{delivery.since:%Y-%m-%d %H:%M} UTC",
            rows=content.rows,
            total=content.total,
            names=content.names,
            base_url=self.settings.public_url,
        )
        subject, _, body = text.partition("\n")
        message = EmailMessage()
        host = urlsplit(self.settings.public_url).hostname or "localhost"
        message["From"] = self.settings.smtp_from or f"icf@{host}"
        message["To"] = delivery.recipient
        message["Subject"] = subject.strip()
        message["Message-ID"] = make_msgid(f"digest-{delivery.id}", domain=host)
        message.set_content(body.strip() + "\n")
        return message

    async def _email(self, delivery: DigestDelivery, content: _Content) -> None:
        message = self._message(delivery, content)
        await asyncio.to_thread(_send_mail, self.settings.smtp_url, message)

    # -- the webhook ------------------------------------------------------------------------------

    def _payload(self, delivery: DigestDelivery, content: _Content) -> bytes:
        data: dict[str, Any] = {
            "delivery": delivery.id,
            "day": delivery.day.isoformat(),
            "since": delivery.since.isoformat(),
            "until": delivery.until.isoformat(),
            "submissions": [
                {
                    "evaluation_id": r.evaluation_id,
                    "reference": r.reference,
                    "organisation": r.organisation,
                    "scope": r.scope,
                    "queued_at": r.queued_at.isoformat(),
                }
                for r in content.rows
            ],
            "total": content.total,
            "new_organisations": content.names,
        }
        return json.dumps(data, ensure_ascii=False).encode()

    async def _webhook(self, delivery: DigestDelivery, content: _Content) -> None:
        body = self._payload(delivery, content)
        timestamp = str(int(self.clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-ICF-Delivery": str(delivery.id),
            "X-ICF-Timestamp": timestamp,
            "X-ICF-Signature": "sha256=" + sign(self.settings.webhook_secret, timestamp, body),
        }
        if self.http is not None:
            response = await self.http.post(self.settings.webhook_url, content=body, headers=headers)
        else:
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.post(self.settings.webhook_url, content=body, headers=headers)
        response.raise_for_status()


def _send_mail(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30)
    elif parts.scheme in ("smtp", "smtp+starttls"):
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=30)
    else:
        raise ValueError("ICF_SMTP_URL must start smtp://, smtp+starttls:// or smtps://")
    with smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


@asynccontextmanager
async def digests_running(service: DigestService, every: float = CHECK_EVERY) -> AsyncIterator[None]:
    """While the app runs: from ``ICF_DIGEST_HOUR`` (UTC) each day, send the day's digests once."""
    if not service.configured:
        yield
        return

    async def loop() -> None:
        while True:
            if service.clock().hour >= service.settings.digest_hour:
                try:
                    await service.run()
                except Exception:  # a bad day must not stop tomorrow's digest
                    log.exception("the digest failed; it is tried again later")
            await asyncio.sleep(every)

    async with in_background(loop(), "digests"):
        yield
