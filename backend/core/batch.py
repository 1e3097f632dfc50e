"""The batch loader behind every `ctx.loaders[...]`: keys asked for in one tick go to one batch call, results are
kept for the request.

It does what Strawberry's DataLoader did for us, with less per key (no batch objects or task bookkeeping), and adds
what the look-ahead needs (core.prefetch): `peek` at a loaded value without awaiting, and `load_all` to load many
keys without a future per key: answered values are kept as values, and a future exists only for a caller of `load`
that has to wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")
MISSING: Any = object()


class Loader(Generic[K, V]):
    __slots__ = ("_batch_done", "_fn", "_key", "_queue", "_queued", "_values", "_waiting")

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[list[V]]],
                 cache_key_fn: Callable[[K], Hashable] | None = None) -> None:
        self._fn = load_fn
        self._key = cache_key_fn
        self._values: dict[Hashable, Any] = {}  # answered keys: the value, or the exception to raise
        self._waiting: dict[Hashable, list[asyncio.Future[V]] | None] = {}  # queued or in-flight keys: their callers
        self._queue: list[tuple[Hashable, K]] = []
        self._queued: set[Hashable] = set()  # keys of the batch not yet dispatched
        self._batch_done: asyncio.Future[None] | None = None  # set once the queued batch has been answered

    def _cache_key(self, key: K) -> Hashable:
        return self._key(key) if self._key is not None else cast(Hashable, key)

    def _enqueue(self, k: Hashable, key: K) -> None:
        if not self._queue:
            loop = asyncio.get_running_loop()
            loop.call_soon(self._dispatch)
            self._batch_done = loop.create_future()
        self._queue.append((k, key))
        self._queued.add(k)
        self._waiting[k] = None

    def load(self, key: K) -> asyncio.Future[V]:
        k = self._cache_key(key)
        fut: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        if k in self._values:
            value = self._values[k]
            if isinstance(value, BaseException):
                fut.set_exception(value)
            else:
                fut.set_result(value)
            return fut
        if k not in self._waiting:
            self._enqueue(k, key)
        callers = self._waiting[k]
        if callers is None:
            self._waiting[k] = [fut]
        else:
            callers.append(fut)
        return fut

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        return asyncio.gather(*map(self.load, keys))

    def peek(self, key: K) -> V:
        """The loaded value (raising the load's error), or MISSING when it is not loaded yet."""
        value = self._values.get(self._cache_key(key), MISSING)
        if isinstance(value, BaseException):
            raise value
        return cast(V, value)

    async def load_all(self, keys: Iterable[K]) -> None:
        """Make sure every key is answered (a value or an error): missing keys join this tick's batch, so concurrent
        callers (the look-ahead of several lists) share one batch call; keys of an earlier batch still in flight are
        waited for too."""
        earlier: list[asyncio.Future[V]] = []
        queued = False
        for key in keys:
            k = self._cache_key(key)
            if k in self._values:
                continue
            if k not in self._waiting:
                self._enqueue(k, key)
                queued = True
            elif k in self._queued:
                queued = True
            else:
                earlier.append(self.load(key))  # in flight in a batch already dispatched
        if queued and self._batch_done is not None:
            await self._batch_done
        if earlier:
            await asyncio.wait(earlier)

    def _dispatch(self) -> None:
        batch, self._queue = self._queue, []
        self._queued = set()
        done, self._batch_done = self._batch_done, None
        asyncio.ensure_future(self._run(batch, done))

    async def _run(self, batch: list[tuple[Hashable, K]], done: asyncio.Future[None] | None) -> None:
        try:
            try:
                values: list[Any] = list(await self._fn([key for _, key in batch]))
                if len(values) != len(batch):
                    raise RuntimeError(f"batch loader returned {len(values)} values for {len(batch)} keys")
            except Exception as exc:  # noqa: BLE001 - every caller of the batch gets its error
                values = [exc] * len(batch)
            for (k, _), value in zip(batch, values, strict=True):
                self._values[k] = value
                for fut in self._waiting.pop(k, None) or ():
                    if fut.done():
                        continue
                    if isinstance(value, BaseException):
                        fut.set_exception(value)
                    else:
                        fut.set_result(value)
        finally:
            if done is not None and not done.done():
                done.set_result(None)
