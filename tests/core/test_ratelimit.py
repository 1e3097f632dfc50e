"""Fixed-window rate limits, in memory and (with TEST_REDIS_URL) in Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from backend.core.errors import DomainError
from backend.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, Rule, create_rate_limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL")
# Built at import time: without TEST_REDIS_URL the Redis variants do not exist at all.
BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])

PER_MINUTE = Rule("per-minute", limit=3, window=60)
PER_HOUR = Rule("per-hour", limit=5, window=3600)
START = 1_800_000_000.0  # aligned to both windows, far from any boundary the tests cross by accident


class Clock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


MakeLimiter = Callable[[Clock], RateLimiter]


@pytest.fixture(params=BACKENDS)
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[MakeLimiter]:
    """Builds limiters on the chosen backend; Redis ones share this test's unique prefix."""
    if request.param == "memory":
        yield lambda clock: MemoryRateLimiter(now=clock)
        return
    assert REDIS_URL is not None
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()  # an unreachable Redis fails the test rather than skipping it
    prefix = f"test-rl:{uuid.uuid4().hex}:"
    try:
        yield lambda clock: RedisRateLimiter(client, prefix=prefix, now=clock)
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def _refused(limiter: RateLimiter, key: str, rules: list[Rule]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await limiter.hit(key, rules, field="phone")
    return caught.value


async def test_allows_up_to_the_limit_then_refuses(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("13800000000", [PER_MINUTE])
    error = await _refused(limiter, "13800000000", [PER_MINUTE])
    assert error.code == "RATE_LIMITED"
    assert error.field == "phone"
    assert await limiter.count("13800000000", PER_MINUTE) == PER_MINUTE.limit


async def test_keys_and_rules_count_separately(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("a", [PER_MINUTE])
    await limiter.hit("b", [PER_MINUTE])
    other = Rule("other", limit=3, window=60)
    await limiter.hit("a", [other])
    assert await limiter.count("b", PER_MINUTE) == 1
    assert await limiter.count("a", other) == 1


async def test_a_refused_hit_counts_against_no_rule(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    rules = [PER_MINUTE, PER_HOUR]
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("k", rules)
    for _ in range(4):
        await _refused(limiter, "k", rules)
    assert await limiter.count("k", PER_HOUR) == PER_MINUTE.limit


async def test_any_exhausted_rule_refuses(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(clock)
    rules = [PER_MINUTE, PER_HOUR]
    for minute in range(2):
        clock.now = START + minute * 60
        for _ in range(PER_MINUTE.limit if minute == 0 else PER_HOUR.limit - PER_MINUTE.limit):
            await limiter.hit("k", rules)
    # The minute rule has room again, but the hour rule is used up.
    assert await limiter.count("k", PER_MINUTE) == 2
    assert (await _refused(limiter, "k", rules)).code == "RATE_LIMITED"


async def test_a_new_window_starts_from_zero(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(clock)
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("k", [PER_MINUTE])
    clock.now += 59
    await _refused(limiter, "k", [PER_MINUTE])
    clock.now += 1
    await limiter.hit("k", [PER_MINUTE])
    assert await limiter.count("k", PER_MINUTE) == 1


async def test_peek_predicts_without_counting(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    assert await limiter.peek("k", [PER_MINUTE])
    assert await limiter.count("k", PER_MINUTE) == 0
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("k", [PER_MINUTE])
    assert not await limiter.peek("k", [PER_MINUTE, PER_HOUR])
    assert await limiter.peek("k", [PER_HOUR])


async def test_reset_clears_the_counters(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("k", [PER_MINUTE, PER_HOUR])
    await limiter.reset("k", [PER_MINUTE, PER_HOUR])
    assert await limiter.count("k", PER_HOUR) == 0
    await limiter.hit("k", [PER_MINUTE, PER_HOUR])


async def test_retry_after_is_the_time_to_the_window_end(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(clock)
    rules = [PER_MINUTE, PER_HOUR]
    assert await limiter.retry_after("k", rules) == 0
    for _ in range(PER_MINUTE.limit):
        await limiter.hit("k", rules)
    clock.now += 20.5
    assert await limiter.retry_after("k", rules) == 40  # rounded up
    clock.now = START + 60
    for _ in range(PER_HOUR.limit - PER_MINUTE.limit):
        await limiter.hit("k", rules)
    # The minute rule has room, but the exhausted hour rule decides.
    assert await limiter.retry_after("k", [PER_MINUTE]) == 0
    assert await limiter.retry_after("k", rules) == 3600 - 60


async def test_concurrent_hits_never_pass_the_limit(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(Clock())

    async def attempt() -> bool:
        try:
            await limiter.hit("k", [PER_HOUR])
        except DomainError:
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(40)))
    assert sum(results) == PER_HOUR.limit


def test_rules_need_a_positive_limit_and_window() -> None:
    with pytest.raises(ValueError):
        Rule("bad", limit=0, window=60)
    with pytest.raises(ValueError):
        Rule("bad", limit=1, window=0)


async def test_create_rate_limiter_without_redis_is_in_memory() -> None:
    limiter = create_rate_limiter(None)
    await limiter.hit("k", [PER_MINUTE])
    assert await limiter.count("k", PER_MINUTE) == 1
    await limiter.aclose()


if REDIS_URL:
    # Only defined with TEST_REDIS_URL: the point is two independent clients, like two processes.

    async def test_redis_limits_hold_across_processes() -> None:
        assert REDIS_URL is not None
        prefix = f"test-rl:{uuid.uuid4().hex}:"
        clients = [aioredis.Redis.from_url(REDIS_URL) for _ in range(2)]
        try:
            first, second = (RedisRateLimiter(c, prefix=prefix) for c in clients)
            rule = Rule("cross", limit=4, window=60)

            async def attempt(limiter: RateLimiter) -> bool:
                try:
                    await limiter.hit("k", [rule])
                except DomainError:
                    return False
                return True

            results = await asyncio.gather(*(attempt(lim) for lim in [first, second] * 10))
            assert sum(results) == rule.limit
            assert await second.count("k", rule) == rule.limit
            await first.reset("k", [rule])
            assert await second.peek("k", [rule])
        finally:
            keys = [k async for k in clients[0].scan_iter(match=prefix + "*")]
            if keys:
                await clients[0].delete(*keys)
            for client in clients:
                await client.aclose()

    async def test_create_rate_limiter_with_redis_url() -> None:
        assert REDIS_URL is not None
        limiter = create_rate_limiter(REDIS_URL)
        key = uuid.uuid4().hex
        try:
            await limiter.hit(key, [PER_MINUTE])
            assert await limiter.count(key, PER_MINUTE) == 1
            await limiter.reset(key, [PER_MINUTE])
        finally:
            await limiter.aclose()
