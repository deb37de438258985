"""What WhatsApp reports later about a message it took: sent, delivered, read, or failed.

Each report is recorded against the outbox message it belongs to (found by the wamid the send
returned). A message that failed for a reason that passes (WhatsApp's own trouble, throttling) is
sent again, once; one that failed for good (the 24-hour window closed, a number not on WhatsApp),
or a second time, is given up and logged, so it shows among the outbox's failures.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.whatsapp.api import THROTTLED, TRANSIENT
from storage import OutboxMessage, outbox

__all__ = ["FAILED_AGAIN", "record"]

log = logging.getLogger(__name__)
FAILED_AGAIN = "whatsapp failed:"  # the outbox error of a message sent again after a failed report
STATES = frozenset({"sent", "delivered", "read", "failed"})


async def record(
    connection: AsyncConnection, channel: str, statuses: Sequence[dict[str, Any]], now: datetime
) -> int:
    """Record the reports; returns how many messages are to be sent again."""
    again = 0
    for report in statuses:
        state = str(report.get("status") or "")
        if state not in STATES:
            continue
        found = await outbox.record_status(connection, channel, str(report["id"]), state, now)
        if found is not None and state == "failed":
            again += await _failed(connection, found, report, now)
    return again


async def _failed(connection: AsyncConnection, message_id: int, report: dict[str, Any], now: datetime) -> int:
    errors = report.get("errors") if isinstance(report.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    reason = f"{FAILED_AGAIN} {code} {first.get('title') or ''}".strip()
    earlier = await connection.scalar(select(OutboxMessage.error).where(OutboxMessage.id == message_id))
    passing = code in TRANSIENT or code in THROTTLED
    if passing and not str(earlier or "").startswith(FAILED_AGAIN):
        await outbox.send_again(connection, message_id, now, reason)
        return 1
    log.warning("whatsapp: message %s failed after it was sent: %s", message_id, reason)
    await outbox.give_up(connection, message_id, now, reason)
    return 0
