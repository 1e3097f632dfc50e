"""A Redis limiter whose Redis does not answer counts in the process instead, logs that once, and goes back to Redis."""

from __future__ import annotations

import asyncio
import logging
import signal
import time

import pytest
import redis.asyncio as aioredis

from backend.core import metrics
from backend.core.errors import DomainError
from backend.core.metrics import RedisOutage
from backend.core.ratelimit import REDIS_TIMEOUT, RedisRateLimiter, Rule, create_rate_limiter
from tests.core.test_ratelimit import START, Clock
from tests.support.live_server import free_port
from tests.test_redis_outage import redis_server

RULE = Rule("outage", limit=3, window=60)
OTHER = Rule("outage-hourly", limit=5, window=3600)
LOGGER = "backend.core.ratelimit"


def _errors() -> float:
    return metrics.REGISTRY.get_sample_value("courtyard_redis_errors_total", {"part": "ratelimit"}) or 0.0


async def test_closed_port_falls_back_and_still_enforces_the_limit(caplog: pytest.LogCaptureFixture) -> None:
    # given a limiter built as the server builds it, pointed at a port nothing listens on
    limiter = create_rate_limiter(f"redis://127.0.0.1:{free_port()}/0")
    assert isinstance(limiter, RedisRateLimiter)
    errors_before = _errors()
    caplog.set_level(logging.INFO, logger=LOGGER)
    try:
        started = time.perf_counter()
        # when the key uses up its limit, every call answers from the process's own counters
        for _ in range(RULE.limit):
            assert await limiter.peek("13800000001", [RULE, OTHER])
            await limiter.hit("13800000001", [RULE, OTHER], field="phone")
        with pytest.raises(DomainError) as refused:
            await limiter.hit("13800000001", [RULE, OTHER], field="phone")
        elapsed = time.perf_counter() - started
    finally:
        await limiter.aclose()

    # then the limit holds, with the usual code and field, and nothing waited on Redis
    assert refused.value.code == "RATE_LIMITED" and refused.value.field == "phone"
    assert await limiter.count("13800000001", RULE) == RULE.limit
    assert not await limiter.peek("13800000001", [RULE])
    assert 0 < await limiter.retry_after("13800000001", [RULE]) <= RULE.window
    assert await limiter.count("another", RULE) == 0
    assert elapsed < 1.0, elapsed
    assert limiter.degraded
    # one warning for the whole outage, one counted error per call that went to Redis
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert _errors() > errors_before
    assert metrics.REGISTRY.get_sample_value("courtyard_redis_up") == 0


async def test_refund_and_reset_work_on_the_fallback() -> None:
    limiter = create_rate_limiter(f"redis://127.0.0.1:{free_port()}/0")
    try:
        for _ in range(RULE.limit):
            await limiter.hit("k", [RULE])
        await limiter.refund("k", [RULE])
        await limiter.hit("k", [RULE])  # the refunded slot
        with pytest.raises(DomainError):
            await limiter.hit("k", [RULE])
        await limiter.reset("k", [RULE])
        assert await limiter.count("k", RULE) == 0
        await limiter.hit("k", [RULE])
    finally:
        await limiter.aclose()


@pytest.mark.slow  # starts redis-server
async def test_goes_back_to_redis_when_it_answers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    clock = Clock(START)
    with redis_server() as redis:
        client = aioredis.Redis.from_url(redis.url, socket_timeout=0.25, socket_connect_timeout=0.25)
        limiter = RedisRateLimiter(client, prefix="rl:outage:", now=clock, owns_client=True, retry_after=0.05)
        try:
            await limiter.hit("k", [RULE])
            assert not limiter.degraded
            redis.stop()
            await limiter.hit("k", [RULE])  # counted in the process
            assert limiter.degraded
            redis.start()  # an empty Redis: what was counted before the outage is gone with it
            await asyncio.sleep(0.1)  # past retry_after
            await limiter.hit("k", [RULE])
            assert not limiter.degraded
            async with aioredis.Redis.from_url(redis.url) as admin:
                keys = [key async for key in admin.scan_iter(match="rl:outage:*")]
                assert len(keys) == 1 and await admin.get(keys[0]) == b"1"
            assert await limiter.count("k", RULE) == 1
        finally:
            await limiter.aclose()
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 2 and "shared again (1 checks" in messages[1], messages


@pytest.mark.slow  # starts redis-server
async def test_a_hung_redis_costs_one_short_timeout_then_nothing() -> None:
    # given Redis accepting connections but never answering (stopped, as a host behind a dead switch would be)
    with redis_server() as redis:
        limiter = create_rate_limiter(redis.url)
        try:
            await limiter.hit("k", [RULE])
            assert redis.process is not None
            redis.process.send_signal(signal.SIGSTOP)
            try:
                # when the next calls come in, the first waits out one short timeout and the rest do not wait
                timings = []
                for _ in range(RULE.limit - 1):
                    started = time.perf_counter()
                    await limiter.hit("k", [RULE])
                    timings.append(time.perf_counter() - started)
                with pytest.raises(DomainError):  # the in-process count, which started empty, still enforces
                    for _ in range(RULE.limit):
                        await limiter.hit("k", [RULE])
            finally:
                redis.process.send_signal(signal.SIGCONT)
        finally:
            await limiter.aclose()
    assert timings[0] < REDIS_TIMEOUT + 0.2, timings
    assert max(timings[1:]) < 0.15, timings  # well under the 0.25 s timeout: none of them waited on Redis


def test_during_an_outage_one_caller_at_a_time_probes_redis() -> None:
    clock = Clock(0.0)
    outage = RedisOutage("ratelimit", logging.getLogger("test"), down=None, up=None, retry_after=1.0, clock=clock)
    assert outage.should_try()
    outage.failed(ConnectionError("refused"))
    assert not outage.should_try()
    clock.now = 1.0
    assert outage.should_try()  # the probe
    assert not outage.should_try()  # others use the fallback while it waits, even if it never reports back
    clock.now = 2.0
    assert outage.should_try()
    outage.answered()
    assert outage.should_try() and outage.should_try()
