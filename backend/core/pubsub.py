"""Fan-out of small JSON events to live subscribers: in process, or across processes via Redis."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 1000
_SUBSCRIBE_TIMEOUT = 5.0


class Broker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver to current subscribers at most once; the message must be JSON-serialisable."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        """Receive the channel's events while the block is open."""
        ...

    def subscriber_count(self) -> int: ...


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


class _LocalFanout:
    """Local subscribers by channel, shared by both brokers."""

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._channels: dict[str, set[Subscription]] = {}

    def add(self, channel: str) -> Subscription:
        sub = Subscription(self._queue_size)
        self._channels.setdefault(channel, set()).add(sub)
        return sub

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

    def subscriber_count(self) -> int:
        return self._local.count()


class RedisBroker:
    """Fan-out across processes: one Redis pub/sub connection and one reader task per process."""

    def __init__(self, url: str, *, prefix: str = "courtyard:", queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._url = url
        # The prefix keeps deployments (and test runs) sharing one Redis from hearing each other.
        self._prefix = prefix
        self._local = _LocalFanout(queue_size)
        self._client: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # Serialises SUBSCRIBE/UNSUBSCRIBE so the Redis side always converges to the local side.
        self._sync_lock = asyncio.Lock()
        self._remote: set[str] = set()
        self._confirmations: dict[str, asyncio.Event] = {}
        self._cleanups: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self._client is not None:
            return
        # The health check PINGs an idle subscription, so a half-dead connection is noticed and redone.
        self._client = aioredis.Redis.from_url(self._url, health_check_interval=30, socket_keepalive=True)
        self._pubsub = self._client.pubsub()
        # Connect now, so a wrong URL fails at start-up rather than at the first subscription.
        await self._pubsub.connect()
        self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")

    async def stop(self) -> None:
        self._local.close_all()
        # Pending unsubscribes finish rather than being cancelled: a subscriber awaiting one would
        # otherwise see a CancelledError it never asked for.
        await asyncio.gather(*self._cleanups, return_exceptions=True)
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        self._remote.clear()
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        raw = _encode(message)
        if self._client is None:
            raise RuntimeError("RedisBroker.publish before start()")
        try:
            await self._client.publish(self._prefix + channel, raw)
        except RedisError:
            # Events are sent after the write committed: failing the request now would make the
            # client retry a change that already happened. Subscribers refetch on reconnect.
            log.warning("event on %s dropped: Redis unavailable", channel, exc_info=True)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        if self._pubsub is None:
            raise RuntimeError("RedisBroker.subscribe before start()")
        sub = self._local.add(channel)
        try:
            # Wait for Redis to confirm, so events published after entering the block arrive.
            await self._sync(channel)
            yield sub
        finally:
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

    async def _read(self) -> None:
        """Move messages from the shared connection to local inboxes, reconnecting after errors."""
        assert self._pubsub is not None
        delay = 0.1
        while True:
            try:
                # A bounded wait rather than a blocking read, so the health check gets its turn.
                message = await self._pubsub.get_message(timeout=1.0)
                delay = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                # redis-py resubscribes on reconnect; messages sent meanwhile are lost (at-most-once).
                log.warning("Redis pub/sub read failed; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
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
