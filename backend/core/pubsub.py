"""Fan-out of small JSON events to live subscribers: in process, or across processes via Redis."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.core.metrics import RedisOutage

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 1000
_SUBSCRIBE_TIMEOUT = 5.0
# Seconds a PUBLISH, PING or connection attempt may take: an outage costs a mutation milliseconds, not seconds.
REDIS_TIMEOUT = 0.25
# How long a PING verdict is reused: a storm of health probes costs one PING a second.
HEALTH_CACHE = 1.0
# The reader's reconnect delays: doubled from the first to the last, so Redis back means events back within ~1 s.
_RECONNECT_FIRST, _RECONNECT_LAST = 0.1, 1.0
# Redis not answering, as opposed to Redis answering with an error.
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


def _retry_once() -> Retry:
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


class Broker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver to current subscribers at most once; the message must be JSON-serialisable."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        """Receive the channel's events while the block is open."""
        ...

    def fork(self, channel: str, source: AsyncIterator[dict[str, Any]]) -> Fork:
        """A second inbox on `channel` that holds exactly what `source` (an open subscription's iterator) has yet to
        yield: the events queued in it now and every later one. Registered at once; open it with `async with`, or
        `aclose()` it unopened."""
        ...

    def subscriber_count(self) -> int: ...

    async def redis_reachable(self) -> bool | None:
        """Whether the Redis behind the broker answers; None when there is none (nothing to be down)."""
        ...


class Subscription:
    """One subscriber's bounded inbox; iterating yields events until it is closed."""

    def __init__(self, maxsize: int) -> None:
        # A deque with maxlen drops the oldest item itself, so a slow reader never blocks the publisher.
        self._items: deque[bytes] = deque(maxlen=maxsize)
        self._ready = asyncio.Event()
        self._closed = False
        self.dropped = 0

    def push(self, raw: bytes) -> None:
        if self._closed:
            return
        if len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(raw)
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def __aiter__(self) -> Subscription:
        return self

    def copy(self) -> Subscription:
        """A new inbox holding what this one has not yielded yet (see Broker.fork)."""
        twin = Subscription(self._items.maxlen or DEFAULT_QUEUE_SIZE)
        twin._items.extend(self._items)
        if self._items:
            twin._ready.set()
        return twin

    async def __anext__(self) -> dict[str, Any]:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        # Decoded per subscriber, so one consumer mutating its event cannot change another's.
        return json.loads(self._items.popleft())


def _encode(message: dict[str, Any]) -> bytes:
    # Encoding at publish time makes a non-serialisable event fail in dev exactly as it would with Redis.
    if not isinstance(message, dict):
        raise TypeError("an event must be a dict")
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


class Fork:
    """An inbox made by Broker.fork: registered already; `async with` iterates it and unregisters it at the end."""

    def __init__(self, sub: Subscription, release: Callable[[], Awaitable[None]]) -> None:
        self.sub = sub
        self._release = release
        self._released = False

    async def __aenter__(self) -> Subscription:
        return self.sub

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            await self._release()


class _LocalFanout:
    """Local subscribers by channel, shared by both brokers."""

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._channels: dict[str, set[Subscription]] = {}

    def add(self, channel: str, sub: Subscription | None = None) -> Subscription:
        sub = sub if sub is not None else Subscription(self._queue_size)
        self._channels.setdefault(channel, set()).add(sub)
        return sub

    def fork(self, channel: str, source: object) -> Subscription:
        if not isinstance(source, Subscription) or source not in self._channels.get(channel, ()):
            raise ValueError("fork() needs an open subscription of the same channel")
        return self.add(channel, source.copy())

    def remove(self, channel: str, sub: Subscription) -> bool:
        """Unregister a subscriber; True when the channel has none left."""
        sub.close()
        subs = self._channels.get(channel)
        if subs is None:
            return True
        subs.discard(sub)
        if not subs:
            del self._channels[channel]
            return True
        return False

    def has(self, channel: str) -> bool:
        return channel in self._channels

    def channels(self) -> set[str]:
        return set(self._channels)

    def deliver(self, channel: str, raw: bytes) -> None:
        for sub in self._channels.get(channel, ()):
            sub.push(raw)

    def close_all(self) -> None:
        # Ends every open `async for`, so websocket handlers finish on shutdown instead of hanging.
        for subs in self._channels.values():
            for sub in subs:
                sub.close()
        self._channels.clear()

    def count(self) -> int:
        return sum(len(subs) for subs in self._channels.values())


class InProcessBroker:
    """Fan-out inside one process: dev, tests and single-worker deployments."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._local = _LocalFanout(queue_size)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._local.close_all()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._local.deliver(channel, _encode(message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        sub = self._local.add(channel)
        try:
            yield sub
        finally:
            self._local.remove(channel, sub)

    def fork(self, channel: str, source: AsyncIterator[dict[str, Any]]) -> Fork:
        sub = self._local.fork(channel, source)

        async def release() -> None:
            self._local.remove(channel, sub)

        return Fork(sub, release)

    def subscriber_count(self) -> int:
        return self._local.count()

    async def redis_reachable(self) -> bool | None:
        return None


class RedisBroker:
    """Fan-out across processes: one Redis pub/sub connection and one reader task per process.

    An outage of Redis is survived, not propagated: events that cannot be published are dropped (the write
    they announce has committed; subscribers refetch on reconnect), subscriptions opened meanwhile are
    accepted, and the reader reconnects and resubscribes every channel that has local subscribers once Redis
    answers again. Each part logs an outage once (metrics.RedisOutage).
    """

    def __init__(self, url: str, *, prefix: str = "courtyard:", queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._url = url
        # The prefix keeps deployments (and test runs) sharing one Redis from hearing each other.
        self._prefix = prefix
        self._local = _LocalFanout(queue_size)
        self._client: aioredis.Redis | None = None  # PUBLISH and PING
        self._listener: aioredis.Redis | None = None  # the pub/sub connection
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # Serialises SUBSCRIBE/UNSUBSCRIBE so the Redis side always converges to the local side.
        self._sync_lock = asyncio.Lock()
        self._remote: set[str] = set()
        self._confirmations: dict[str, asyncio.Event] = {}
        self._cleanups: set[asyncio.Task[None]] = set()
        # Set when a SUBSCRIBE/UNSUBSCRIBE could not reach Redis: the reader reconciles once Redis answers.
        self._resync_needed = False
        self._resync: asyncio.Task[None] | None = None
        self._publishing = RedisOutage(
            "pubsub", log, down="Redis unreachable: live events are dropped until it answers again",
            up="Redis answers again: live events are published again (%d were dropped meanwhile)",
        )
        self._listening = RedisOutage(
            "pubsub", log, down="Redis pub/sub connection lost: live events are paused; reconnecting",
            up="Redis pub/sub connection back after %d attempts: channels resubscribed",
        )
        self._health = RedisOutage("health", log, down=None, up=None)
        self._health_lock = asyncio.Lock()
        self._health_verdict = True
        self._health_until = 0.0

    async def start(self) -> None:
        if self._client is not None:
            return
        # Short timeouts, and one immediate retry only for a broken connection (a pooled one that died with a
        # Redis restart is redone once): a publish during an outage fails in milliseconds and the event is dropped.
        self._client = aioredis.Redis.from_url(
            self._url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT, retry=_retry_once(),
        )
        # The health check PINGs an idle subscription, so a half-dead connection is noticed and redone. No socket
        # timeout: the reader bounds each wait itself; reconnecting is left to the reader's own back-off.
        self._listener = aioredis.Redis.from_url(
            self._url, health_check_interval=30, socket_keepalive=True, socket_connect_timeout=REDIS_TIMEOUT,
            retry=_retry_once(),
        )
        self._pubsub = self._listener.pubsub()
        # Connect now, so a wrong URL fails at start-up rather than at the first subscription.
        await self._pubsub.connect()
        self._listening.answered()
        self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")

    async def stop(self) -> None:
        self._local.close_all()
        # Pending unsubscribes finish rather than being cancelled: a subscriber awaiting one would
        # otherwise see a CancelledError it never asked for.
        await asyncio.gather(*self._cleanups, return_exceptions=True)
        for task in (self._reader, self._resync):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._reader = self._resync = None
        self._remote.clear()
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None
        for client in (self._listener, self._client):
            if client is not None:
                await client.aclose()
        self._listener = self._client = None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        raw = _encode(message)
        if self._client is None:
            raise RuntimeError("RedisBroker.publish before start()")
        # Events are sent after the write committed: failing the request now would make the client retry a
        # change that already happened. Subscribers refetch on reconnect. So an unreachable Redis drops the event
        # (logged once per outage, counted in courtyard_redis_errors_total), and is not even tried for a moment
        # after a failure.
        if not self._publishing.should_try():
            self._publishing.missed += 1
            return
        try:
            await self._client.publish(self._prefix + channel, raw)
        except _REDIS_DOWN as error:
            self._publishing.failed(error)
            self._publishing.missed += 1
            return
        except RedisError:
            log.warning("event on %s dropped: Redis refused it", channel, exc_info=True)
            return
        self._publishing.answered()

    async def redis_reachable(self) -> bool | None:
        """Whether Redis answers a PING within REDIS_TIMEOUT; the verdict is reused for HEALTH_CACHE seconds."""
        async with self._health_lock:  # concurrent probes wait for the one PING in flight
            if time.monotonic() < self._health_until:
                return self._health_verdict
            client = self._client
            if client is None:
                return False
            try:
                await client.ping()
            except _REDIS_DOWN as error:
                self._health.failed(error)
                self._health_verdict = False
            else:
                self._health.answered()
                self._health_verdict = True
            self._health_until = time.monotonic() + HEALTH_CACHE
            return self._health_verdict

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        if self._pubsub is None:
            raise RuntimeError("RedisBroker.subscribe before start()")
        sub = self._local.add(channel)
        try:
            # Wait for Redis to confirm, so events published after entering the block arrive. While Redis is
            # down the subscription is accepted all the same: the reader subscribes it when Redis is back.
            await self._sync(channel)
            yield sub
        finally:
            await self._release(channel, sub)

    def fork(self, channel: str, source: AsyncIterator[dict[str, Any]]) -> Fork:
        # The source holds the channel's Redis subscription, so the fork needs no SUBSCRIBE of its own.
        sub = self._local.fork(channel, source)
        return Fork(sub, lambda: self._release(channel, sub))

    async def _release(self, channel: str, sub: Subscription) -> None:
        if self._local.remove(channel, sub):
            # In its own task: a cancelled websocket handler must not leave the Redis subscription
            # behind, and a failed UNSUBSCRIBE (logged by _cleanup_done) must not fail the handler.
            task = asyncio.create_task(self._sync(channel))
            self._cleanups.add(task)
            task.add_done_callback(self._cleanup_done)
            await asyncio.wait({task})

    def subscriber_count(self) -> int:
        return self._local.count()

    def _cleanup_done(self, task: asyncio.Task[None]) -> None:
        self._cleanups.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("unsubscribe failed", exc_info=task.exception())

    async def _sync(self, channel: str) -> None:
        """Make the Redis subscription for a channel match whether it has local subscribers."""
        async with self._sync_lock:
            try:
                await self._sync_locked(channel)
            except _REDIS_DOWN as error:
                self._resync_needed = True
                self._listening.failed(error)

    async def _sync_locked(self, channel: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return
        remote = self._prefix + channel
        wanted, held = self._local.has(channel), channel in self._remote
        if wanted and not held:
            confirmed = self._confirmations[remote] = asyncio.Event()
            try:
                await pubsub.subscribe(remote)
                self._remote.add(channel)
                await asyncio.wait_for(confirmed.wait(), _SUBSCRIBE_TIMEOUT)
            finally:
                self._confirmations.pop(remote, None)
        elif held and not wanted:
            self._remote.discard(channel)
            await pubsub.unsubscribe(remote)

    async def _reconcile(self) -> None:
        """After an outage: redis-py has resubscribed what it held when the connection dropped; subscribe the
        channels that gained local subscribers meanwhile and drop those that lost them all."""
        async with self._sync_lock:
            pubsub = self._pubsub
            if pubsub is None:
                return
            held = set()
            for name in pubsub.channels:
                text = name.decode() if isinstance(name, bytes) else str(name)
                if text.startswith(self._prefix):
                    held.add(text[len(self._prefix) :])
            self._remote = held
            try:
                for channel in held ^ self._local.channels():
                    await self._sync_locked(channel)
            except _REDIS_DOWN as error:
                self._resync_needed = True  # down again: the reader tries once more when it is back
                self._listening.failed(error)
            except Exception:  # noqa: BLE001 - a task nobody awaits: log rather than lose it
                log.warning("resubscribing after a Redis outage failed", exc_info=True)

    def _reconcile_soon(self) -> None:
        # In its own task: subscribing waits for confirmations, which only the reader can receive.
        if self._resync is None or self._resync.done():
            self._resync_needed = False
            self._resync = asyncio.create_task(self._reconcile(), name="redis-broker-resync")

    async def _read(self) -> None:
        """Move messages from the shared connection to local inboxes, reconnecting after errors."""
        assert self._pubsub is not None
        delay = _RECONNECT_FIRST
        while True:
            try:
                # A bounded wait rather than a blocking read, so the health check gets its turn. On a dropped
                # connection this reconnects, and redis-py resubscribes the channels it held.
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except _REDIS_DOWN as error:
                # Messages published meanwhile are lost (at-most-once); subscribers refetch on reconnect.
                self._listening.failed(error)
                self._listening.missed += 1
                self._resync_needed = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RECONNECT_LAST)
                continue
            except Exception:
                log.warning("Redis pub/sub read failed; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RECONNECT_LAST)
                continue
            delay = _RECONNECT_FIRST
            if self._listening.down:
                self._publishing.retry_now()  # subscribers are back: so are the events they wait for
            self._listening.answered()
            if self._resync_needed:
                self._reconcile_soon()
            if message is None:
                continue
            name = message["channel"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if message["type"] == "subscribe":
                event = self._confirmations.get(name)
                if event is not None:
                    event.set()
            elif message["type"] == "message" and name.startswith(self._prefix):
                data = message["data"]
                self._local.deliver(
                    name[len(self._prefix) :], data if isinstance(data, bytes) else data.encode()
                )


def create_broker(redis_url: str | None) -> Broker:
    """Redis-backed when a URL is configured (several workers), in process otherwise."""
    if redis_url:
        return RedisBroker(redis_url)
    return InProcessBroker()
