"""The rate limiter under a flood of distinct addresses: memory stays bounded, real clients stay limited.

Each request costs the same however many addresses are known (measured by benchmarks/interference.py,
case d); here, what a flood leaves behind in memory, and that it does not free an abuser.
"""

from __future__ import annotations

import gc
import tracemalloc

from bot.throttle import MAX_KEYS, TokenBuckets


def flood(buckets: TokenBuckets, first: int, count: int) -> None:
    """``count`` distinct IPv6 addresses, one request each."""
    for number in range(first, first + count):
        buckets.take(f"2001:db8::{number:x}")


def traced_bytes() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_memory_stays_bounded_after_100000_distinct_addresses() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=300, clock=lambda: now[0])  # all within one minute: none expire
    tracemalloc.start()
    try:
        before = traced_bytes()
        flood(buckets, 0, MAX_KEYS)
        after_first = traced_bytes() - before
        flood(buckets, MAX_KEYS, MAX_KEYS)
        after_second = traced_bytes() - before
        flood(buckets, 2 * MAX_KEYS, MAX_KEYS)
        after_third = traced_bytes() - before
    finally:
        tracemalloc.stop()
    assert MAX_KEYS == 100_000
    assert len(buckets) == MAX_KEYS  # the longest idle were forgotten
    assert after_third <= after_second * 1.01  # no growth once full
    assert after_second <= after_first * 1.5  # the table's own slack, once
    assert after_third < 400 * MAX_KEYS  # under 40 MB, a key and its bucket in 400 bytes


def test_a_flood_neither_frees_an_abuser_nor_keeps_buckets_full_again() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=6, clock=lambda: now[0])  # a token every 10 s
    for _ in range(6):
        assert buckets.take("abuser") == 0.0
    for chunk in range(200):  # twice as many addresses as are kept, the abuser trying all along
        flood(buckets, chunk * 1000, 1000)
        assert buckets.take("abuser") > 0, f"freed after {chunk + 1}000 other addresses"
    assert len(buckets) == MAX_KEYS
    now[0] += 60.0  # every bucket is full again: none is worth keeping
    assert buckets.take("newcomer") == 0.0
    assert len(buckets) == 1
