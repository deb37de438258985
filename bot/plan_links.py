"""Signed, expiring links to a printable plan, for channels that cannot send a token (Telegram).

The link opens one plan, read-only, until it expires; it grants nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

__all__ = ["PlanLinks"]


class PlanLinks:
    def __init__(self, secret_key: bytes, public_url: str, days: int) -> None:
        self._key = hashlib.sha256(b"plan-link:" + secret_key).digest()  # not the key used for tokens
        self._public_url = public_url.rstrip("/")
        self._days = days

    def _signature(self, evaluation_id: str, expires: int) -> str:
        message = f"{evaluation_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, evaluation_id: str, now: datetime) -> str:
        expires = int((now + timedelta(days=self._days)).timestamp())
        query = urlencode({"expires": expires, "sig": self._signature(evaluation_id, expires)})
        return f"{self._public_url}/plan/{evaluation_id}?{query}"

    def valid(self, evaluation_id: str, expires: int, signature: str, now: datetime) -> bool:
        expected = self._signature(evaluation_id, expires)
        given = signature.encode("utf-8", "replace")  # as bytes: any text, even non-ASCII, is just wrong
        return hmac.compare_digest(expected.encode(), given) and now.timestamp() < expires
