"""Fixed-window rate limits, in memory for one process or in Redis to hold across processes."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.core.errors import Codes, DomainError
from backend.core.metrics import RedisOutage

log = logging.getLogger(__name__)
T = TypeVar("T")
# Seconds a Redis call may take before the limiter counts in process instead.
REDIS_TIMEOUT = 0.25
# Redis not answering, as opposed to Redis answering with an error (a bug, which should surface).
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


@dataclass(frozen=True)
class Rule:
    """At most `limit` events per `window` seconds; `name` keeps counters of different rules apart."""

    name: str
    limit: int
    window: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window < 1:
            raise ValueError("a rule needs limit >= 1 and window >= 1")


class RateLimiter(Protocol):
    async def hit(self, key: str, rules: Sequence[Rule], *, field: str | None = None) -> None:
        """Count one event under every rule, or raise RATE_LIMITED and count nothing."""
        ...

    async def refund(self, key: str, rules: Sequence[Rule]) -> None:
        """Give back one event counted by `hit` (an attempt that turned out fine); never below zero."""
        ...

    async def peek(self, key: str, rules: Sequence[Rule]) -> bool:
        """True when a hit would be allowed now; counts nothing. Never gate a check on it: parallel
        requests all see the same answer; `hit` first, then `refund` when the attempt succeeds."""
        ...

    async def reset(self, key: str, rules: Sequence[Rule]) -> None:
        """Forget the current windows of these rules for the key (e.g. after a good login)."""
        ...

    async def count(self, key: str, rule: Rule) -> int:
        """Events counted for the key in the rule's current window."""
        ...

    async def retry_after(self, key: str, rules: Sequence[Rule]) -> int:
        """Seconds until every exhausted rule's window ends; 0 when a hit would be allowed."""
        ...

    async def aclose(self) -> None:
        """Release connections the limiter owns."""
        ...


def _window_index(now: float, rule: Rule) -> int:
    return int(now // rule.window)


def _seconds_left(now: float, rule: Rule) -> int:
    # Rounded up, so a client that waits the advertised time is never refused again.
    return max(1, math.ceil((_window_index(now, rule) + 1) * rule.window - now))


def _refusal(seconds: int, field: str | None) -> DomainError:
    return DomainError(Codes.RATE_LIMITED, f"Too many attempts; try again in {seconds} seconds", field)


class MemoryRateLimiter:
    """Counters in a dict: right for one process (dev, tests); each process counts on its own."""

    _SWEEP_EVERY = 60.0

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        # (rule name, key, window index) -> count; stale windows are dropped by _sweep.
        self._counts: dict[tuple[str, str, int], int] = {}
        self._expires: dict[tuple[str, str, int], float] = {}
        self._next_sweep = now() + self._SWEEP_EVERY

    def _slot(self, now: float, key: str, rule: Rule) -> tuple[str, str, int]:
        return (rule.name, key, _window_index(now, rule))

    def _sweep(self, now: float) -> None:
        # Without this, every phone number ever seen would keep a counter for the life of the process.
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._SWEEP_EVERY
        for slot in [slot for slot, end in self._expires.items() if end <= now]:
            del self._expires[slot]
            self._counts.pop(slot, None)

    def _exhausted(self, now: float, key: str, rules: Sequence[Rule]) -> list[Rule]:
        return [r for r in rules if self._counts.get(self._slot(now, key, r), 0) >= r.limit]

    async def hit(self, key: str, rules: Sequence[Rule], *, field: str | None = None) -> None:
        # No await between the check and the increments, so concurrent tasks cannot both pass.
        now = self._now()
        self._sweep(now)
        exhausted = self._exhausted(now, key, rules)
        if exhausted:
            raise _refusal(max(_seconds_left(now, r) for r in exhausted), field)
        for rule in rules:
            slot = self._slot(now, key, rule)
            self._counts[slot] = self._counts.get(slot, 0) + 1
            self._expires[slot] = (slot[2] + 1) * rule.window

    async def refund(self, key: str, rules: Sequence[Rule]) -> None:
        # A refund that lands in the next window returns one of that window's slots: at most one per success.
        now = self._now()
        for rule in rules:
            slot = self._slot(now, key, rule)
            left = self._counts.get(slot, 0) - 1
            if left > 0:
                self._counts[slot] = left
            else:
                self._counts.pop(slot, None)
                self._expires.pop(slot, None)

    async def peek(self, key: str, rules: Sequence[Rule]) -> bool:
        return not self._exhausted(self._now(), key, rules)

    async def reset(self, key: str, rules: Sequence[Rule]) -> None:
        now = self._now()
        for rule in rules:
            slot = self._slot(now, key, rule)
            self._counts.pop(slot, None)
            self._expires.pop(slot, None)

    async def count(self, key: str, rule: Rule) -> int:
        return self._counts.get(self._slot(self._now(), key, rule), 0)

    async def retry_after(self, key: str, rules: Sequence[Rule]) -> int:
        now = self._now()
        return max((_seconds_left(now, r) for r in self._exhausted(now, key, rules)), default=0)

    async def aclose(self) -> None:
        return None


# Check every rule first and count only when all pass; one script runs atomically in Redis, so
# concurrent requests from any number of processes cannot both take the last slot.
# KEYS[i] is rule i's counter; ARGV[i] its limit, ARGV[n + i] its window. Returns refused rule indexes.
_HIT_SCRIPT = """
local n = #KEYS
local refused = {}
for i = 1, n do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current >= tonumber(ARGV[i]) then
    refused[#refused + 1] = i
  end
end
if #refused > 0 then
  return refused
end
for i = 1, n do
  if redis.call('INCR', KEYS[i]) == 1 then
    redis.call('EXPIRE', KEYS[i], ARGV[n + i])
  end
end
return refused
"""

# Decrement each counter that is above zero (a refund never creates a key or goes negative).
_REFUND_SCRIPT = """
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
  end
end
return 0
"""


class RedisRateLimiter:
    """Counters in Redis, shared by every process that uses the same prefix.

    Redis is an accelerator here, not a dependency: while it does not answer (connection refused, timeout) each
    call is counted by a MemoryRateLimiter of this process instead, so limits still hold per process, sign-in
    keeps working, and the outage is logged once (metrics.RedisOutage). After a failure Redis is skipped for
    `retry_after` seconds, then one call tries it again. The price: meanwhile each process allows the full
    limit, and counts made in a process are not carried over to Redis when it is back.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str = "rl:",
        *,
        now: Callable[[], float] = time.time,
        owns_client: bool = False,
        retry_after: float = 1.0,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        # Wall-clock time, not monotonic: the window index must agree between processes and hosts.
        self._now = now
        self._owns_client = owns_client
        self._hit_script = redis.register_script(_HIT_SCRIPT)
        self._refund_script = redis.register_script(_REFUND_SCRIPT)
        # Same clock, so a window means the same seconds whichever side counts it.
        self._local = MemoryRateLimiter(now=now)
        self._outage = RedisOutage(
            "ratelimit", log, retry_after=retry_after,
            down="Redis unreachable: rate limits are counted in each process until it answers again",
            up="Redis answers again: rate limits are shared again (%d checks were counted in this process meanwhile)",
        )

    @property
    def degraded(self) -> bool:
        """True while calls are counted in this process because Redis did not answer."""
        return self._outage.down

    async def _either(self, shared: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]) -> T:
        if self._outage.should_try():
            try:
                result = await shared()
            except _REDIS_DOWN as error:
                self._outage.failed(error)
            else:
                self._outage.answered()
                return result
        self._outage.missed += 1
        return await local()

    def _key(self, now: float, key: str, rule: Rule) -> str:
        return f"{self._prefix}{rule.name}:{key}:{_window_index(now, rule)}"

    async def _counts(self, now: float, key: str, rules: Sequence[Rule]) -> list[int]:
        if not rules:
            return []
        values = await self._redis.mget([self._key(now, key, r) for r in rules])
        return [int(v) if v is not None else 0 for v in values]

    async def _shared_hit(self, now: float, key: str, rules: Sequence[Rule]) -> int:
        """Seconds to wait when refused, 0 when counted."""
        keys = [self._key(now, key, r) for r in rules]
        args = [r.limit for r in rules] + [r.window for r in rules]
        refused = await self._hit_script(keys=keys, args=args)
        return max((_seconds_left(now, rules[int(i) - 1]) for i in refused), default=0)

    async def hit(self, key: str, rules: Sequence[Rule], *, field: str | None = None) -> None:
        if not rules:
            return
        now = self._now()

        async def local() -> int:
            await self._local.hit(key, rules, field=field)
            return 0

        wait = await self._either(lambda: self._shared_hit(now, key, rules), local)
        if wait:
            raise _refusal(wait, field)

    async def refund(self, key: str, rules: Sequence[Rule]) -> None:
        if rules:
            now = self._now()
            keys = [self._key(now, key, r) for r in rules]
            await self._either(lambda: self._refund_script(keys=keys), lambda: self._local.refund(key, rules))

    async def peek(self, key: str, rules: Sequence[Rule]) -> bool:
        async def shared() -> bool:
            counts = await self._counts(self._now(), key, rules)
            return all(c < r.limit for c, r in zip(counts, rules, strict=True))

        return await self._either(shared, lambda: self._local.peek(key, rules))

    async def reset(self, key: str, rules: Sequence[Rule]) -> None:
        if rules:
            now = self._now()
            keys = [self._key(now, key, r) for r in rules]
            await self._either(lambda: self._redis.delete(*keys), lambda: self._local.reset(key, rules))

    async def count(self, key: str, rule: Rule) -> int:
        async def shared() -> int:
            return (await self._counts(self._now(), key, [rule]))[0]

        return await self._either(shared, lambda: self._local.count(key, rule))

    async def retry_after(self, key: str, rules: Sequence[Rule]) -> int:
        async def shared() -> int:
            now = self._now()
            counts = await self._counts(now, key, rules)
            exhausted = [r for c, r in zip(counts, rules, strict=True) if c >= r.limit]
            return max((_seconds_left(now, r) for r in exhausted), default=0)

        return await self._either(shared, lambda: self._local.retry_after(key, rules))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()


def create_rate_limiter(redis_url: str | None) -> RateLimiter:
    """Redis-backed when a URL is configured (several workers), in memory otherwise."""
    if redis_url:
        # Short timeouts, and one immediate retry only for a broken connection (a pooled one that died with a
        # Redis restart is redone once), none after a timeout: an unreachable Redis costs a sign-in milliseconds
        # (a hung one at most REDIS_TIMEOUT, once a second), then the in-process fallback counts.
        client = aioredis.Redis.from_url(redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT,
                                         retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        return RedisRateLimiter(client, owns_client=True)
    return MemoryRateLimiter()
