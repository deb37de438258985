"""Token buckets in this process's memory, and the limits on resume codes, for every channel.

Each bucket holds up to ``per_minute`` tokens and refills at ``per_minute`` a minute, so a burst up
to the limit is fine and a steady flood is held to it. No Redis or other service is needed; each
process keeps its own buckets (bot/web/ratelimit.py applies them to the web, bot/telegram/channel.py
to resume codes sent on Telegram).

A request costs the same however many clients are known: buckets are kept in the order they were
last used, so those full again (they would start full anyway) are always at the front, and each is
forgotten once, in constant time; past ``MAX_KEYS`` the longest idle goes first (about 28 MB
then, for IPv6 addresses). Scanning every bucket instead cost 16-23 ms a request at 100,000 addresses;
now a request costs 1-2 µs, at 100 or 100,000. The ``limits`` library's in-memory store (5.8, fixed
window) was measured too: 14-18 µs a hit, and it keeps every key until its window ends however
many arrive (200,000 after 200,000 addresses), with a thread of its own that expires them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.ids import normalise_code

__all__ = ["MAX_KEYS", "WINDOW", "RateLimited", "ResumeGuard", "TokenBuckets"]

WINDOW = 60.0  # seconds: every limit is "so many a minute"
MAX_KEYS = 100_000  # buckets kept at most, so a flood of addresses cannot grow memory without end


class RateLimited(Exception):
    """Over a limit: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, math.ceil(retry_after))


class _Bucket:
    __slots__ = ("at", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at


class TokenBuckets:
    """One bucket per key; ``take`` spends a token or says how long until one is back."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / WINDOW  # tokens a second
        self.clock = clock
        self._full_after = WINDOW  # seconds after its last use that an empty bucket is full again
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently used first

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def _refilled(self, key: str, now: float) -> _Bucket:
        self._forget_full(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            if len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)  # the longest idle
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self._buckets.move_to_end(key)
        return bucket

    def _forget_full(self, now: float) -> None:
        """Forget the buckets that are full again: each is at the front when its time comes."""
        buckets = self._buckets
        while buckets:
            oldest = next(iter(buckets.values()))
            if now - oldest.at < self._full_after:
                return
            buckets.popitem(last=False)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0 when it has one now), without spending it."""
        if not self.enabled:
            return 0.0
        bucket = self._refilled(key, self.clock())
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate

    def take(self, key: str) -> float:
        """Spend a token: 0 when there was one, otherwise the seconds until there is (nothing spent)."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def spend(self, key: str) -> None:
        """Take a token if there is one; never refuses (for counting what already happened)."""
        if self.enabled:
            bucket = self._refilled(key, self.clock())
            bucket.tokens = max(0.0, bucket.tokens - 1)


class ResumeGuard:
    """Resume codes: wrong guesses per client address, and tries of one code from anywhere."""

    def __init__(self, fails_per_client: TokenBuckets, tries_per_code: TokenBuckets) -> None:
        self.fails_per_client = fails_per_client
        self.tries_per_code = tries_per_code

    @staticmethod
    def _code_key(code: str) -> str:
        return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()  # no code kept in memory

    def before(self, client: str, code: str) -> None:
        """RateLimited when this client guessed wrong too often, or this code was tried too often."""
        wait = self.fails_per_client.wait(client)
        if wait:
            raise RateLimited(wait)
        wait = self.tries_per_code.take(self._code_key(code))
        if wait:
            raise RateLimited(wait)

    def failed(self, client: str) -> None:
        self.fails_per_client.spend(client)
