"""The batch loader behind every `ctx.loaders[...]`: keys asked for in one tick go to one batch call, results are
kept for the request.

It does what Strawberry's DataLoader did for us, with less per key (no batch objects or task bookkeeping), and adds
what the look-ahead needs (core.prefetch): `peek` at a loaded value without awaiting, and `load_all` to fill the cache
for many keys in one call without a future per caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
MISSING: Any = object()


class Loader(Generic[K, V]):
    __slots__ = ("_batch_done", "_cache", "_fn", "_key", "_queue")

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[list[V]]],
                 cache_key_fn: Callable[[K], Hashable] | None = None) -> None:
        self._fn = load_fn
        self._key = cache_key_fn
        self._cache: dict[Hashable, asyncio.Future[V]] = {}
        self._queue: list[tuple[K, asyncio.Future[V]]] = []
        self._batch_done: asyncio.Future[None] | None = None  # set when the queued batch has been answered

    def load(self, key: K) -> asyncio.Future[V]:
        k = key if self._key is None else self._key(key)
        fut = self._cache.get(k)  # type: ignore[arg-type]
        if fut is not None:
            return fut
        loop = asyncio.get_running_loop()
        fut = self._cache[k] = loop.create_future()  # type: ignore[index]
        if not self._queue:
            loop.call_soon(self._dispatch)
            self._batch_done = loop.create_future()
        self._queue.append((key, fut))
        return fut

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        return asyncio.gather(*map(self.load, keys))

    def peek(self, key: K) -> V:
        """The loaded value (raising the load's error), or MISSING when it is not loaded yet."""
        fut = self._cache.get(key if self._key is None else self._key(key))  # type: ignore[arg-type]
        if fut is None or not fut.done() or fut.cancelled():
            return MISSING  # type: ignore[no-any-return]
        return fut.result()

    async def load_all(self, keys: Iterable[K]) -> None:
        """Make sure every key is loaded (or failed), without a result per caller: missing keys join this tick's
        batch, so concurrent callers (the look-ahead of several lists) still share one batch call, and the wait is
        one per batch rather than one per key."""
        earlier: list[asyncio.Future[V]] = []
        queued = False
        for key in keys:
            k = key if self._key is None else self._key(key)
            fut = self._cache.get(k)  # type: ignore[arg-type]
            if fut is None:
                self.load(key)
                queued = True
            elif not fut.done():
                earlier.append(fut)
        if queued and self._batch_done is not None:
            await self._batch_done
        if earlier:
            await asyncio.wait(earlier)

    def _dispatch(self) -> None:
        batch, self._queue = self._queue, []
        done, self._batch_done = self._batch_done, None
        asyncio.ensure_future(self._run(batch, done))

    async def _run(self, batch: list[tuple[K, asyncio.Future[V]]], done: asyncio.Future[None] | None) -> None:
        try:
            await self._answer(batch)
        finally:
            if done is not None and not done.done():
                done.set_result(None)

    async def _answer(self, batch: list[tuple[K, asyncio.Future[V]]]) -> None:
        try:
            values = list(await self._fn([key for key, _ in batch]))
            if len(values) != len(batch):
                raise RuntimeError(f"batch loader returned {len(values)} values for {len(batch)} keys")
        except Exception as exc:  # noqa: BLE001 - every caller of the batch gets its error
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            _retrieved(batch)
            return
        for (_, fut), value in zip(batch, values, strict=True):
            if fut.done():
                continue
            if isinstance(value, BaseException):
                fut.set_exception(value)
            else:
                fut.set_result(value)
        _retrieved(batch)


def _retrieved(batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
    """Mark failures as seen: a failure kept in the cache that nobody awaits (the look-ahead loaded it for a field
    that was never resolved) must not be logged as 'exception never retrieved'; whoever awaits it still gets it."""
    for _, fut in batch:
        if fut.done() and not fut.cancelled():
            fut.exception()  # reading it marks it retrieved
