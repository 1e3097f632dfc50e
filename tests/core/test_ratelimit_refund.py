"""Count-first limiting: `hit` is atomic under parallel callers, `refund` gives one event back (memory and Redis)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from backend.core.errors import DomainError
from backend.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, Rule

REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])

PER_MINUTE = Rule("per-minute", limit=3, window=60)
PER_HOUR = Rule("per-hour", limit=5, window=3600)
START = 1_800_000_000.0  # aligned to both windows


class Clock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


MakeLimiter = Callable[[Clock], RateLimiter]


@pytest.fixture(params=BACKENDS)
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[MakeLimiter]:
    if request.param == "memory":
        yield lambda clock: MemoryRateLimiter(now=clock)
        return
    assert REDIS_URL is not None
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()
    prefix = f"test-rl:{uuid.uuid4().hex}:"
    try:
        yield lambda clock: RedisRateLimiter(client, prefix=prefix, now=clock)
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def _allowed(limiter: RateLimiter, key: str, rules: list[Rule]) -> bool:
    try:
        await limiter.hit(key, rules)
    except DomainError:
        return False
    return True


async def test_parallel_hits_take_exactly_the_limit(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())

    results = await asyncio.gather(*(_allowed(limiter, "k", [PER_MINUTE, PER_HOUR]) for _ in range(20)))

    assert sum(results) == PER_MINUTE.limit
    assert await limiter.count("k", PER_MINUTE) == PER_MINUTE.limit
    assert await limiter.count("k", PER_HOUR) == PER_MINUTE.limit  # refused hits count under no rule


async def test_refund_gives_one_event_back_under_every_rule(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    for _ in range(3):
        await limiter.hit("k", [PER_MINUTE, PER_HOUR])
    assert not await _allowed(limiter, "k", [PER_MINUTE])

    await limiter.refund("k", [PER_MINUTE, PER_HOUR])

    assert await limiter.count("k", PER_MINUTE) == 2
    assert await limiter.count("k", PER_HOUR) == 2
    assert await _allowed(limiter, "k", [PER_MINUTE])
    assert not await _allowed(limiter, "k", [PER_MINUTE])


async def test_refund_never_goes_below_zero(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    await limiter.refund("k", [PER_MINUTE])
    await limiter.hit("k", [PER_MINUTE])
    await limiter.refund("k", [PER_MINUTE])
    await limiter.refund("k", [PER_MINUTE])

    assert await limiter.count("k", PER_MINUTE) == 0
    for _ in range(3):
        await limiter.hit("k", [PER_MINUTE])
    assert not await _allowed(limiter, "k", [PER_MINUTE])


async def test_count_first_then_refund_caps_parallel_failures(make_limiter: MakeLimiter) -> None:
    # 30 parallel attempts, one in three succeeding: at most `limit` failures are ever let through
    limiter = make_limiter(Clock())
    rule = Rule("attempts", limit=5, window=900)
    checked: list[bool] = []

    async def attempt(i: int) -> None:
        if not await _allowed(limiter, "acct", [rule]):
            return
        await asyncio.sleep(0)  # the check itself, which lets the other attempts run
        good = i % 3 == 0
        checked.append(good)
        if good:
            await limiter.refund("acct", [rule])

    await asyncio.gather(*(attempt(i) for i in range(30)))

    assert checked.count(False) <= rule.limit
    assert await limiter.count("acct", rule) == checked.count(False)
