"""Per-request context: the authenticated principal, per-request DataLoaders, request metadata.

Loaders are reached through typed keys: a domain declares `USER = loader("user", by_pk(User), shared=True)` (a
`LoaderKey[int, User | None]`) and resolvers read `USER.of(ctx).load(pk)`, so a misspelt loader is an import error
and mypy knows what a load returns. `ctx.loaders[name]` stays the mechanism underneath (look-ahead, live events).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast, overload

from backend.core.batch import Loader
from backend.core.permissions import Perm


@dataclass(frozen=True)
class Principal:
    """Who is calling, as loaded from the database on this request (so revocations apply at once)."""

    user_id: int
    session_id: str
    company_id: int | None
    is_platform_admin: bool
    staff_id: int | None = None
    # permission -> community ids it applies to, or None for every community of the company
    grants: dict[Perm, frozenset[int] | None] = field(default_factory=dict)
    role_codes: tuple[str, ...] = ()


K = TypeVar("K")
V = TypeVar("V")
BatchFn = Callable[["Context", list[Any]], Awaitable[list[Any]]]
_LOADERS: dict[str, BatchFn] = {}
# Every LoaderKey made (registered or only declared): tests/test_domains.py checks each has its batch.
KEYS: dict[str, LoaderKey[Any, Any]] = {}
# Loaders whose batch reads by key alone, never by who asks (rows by primary key, a ticket's timeline, ...).
_SHARED: set[str] = set()
# How many published events' shared loads a process keeps, and for how long (subscribers handle an event within
# moments of each other; a straggler past this simply loads again).
EVENT_LOADS_KEPT = 256
EVENT_LOADS_SECONDS = 10.0


class LoaderKey(Generic[K, V]):
    """The typed handle of a registered loader: `KEY.of(ctx)` is the caller's `Loader[K, V]` for it.

    Made by `loader(name, batch)` where the batch is defined; where a module that needs the key cannot import the
    batch's module (a type that the batch builds), the key is declared alone, `KEY: LoaderKey[K, V] =
    LoaderKey(name)`, in a small module both can import, and the batch is registered later with
    `register_loader(KEY, batch)`.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if name in KEYS:
            raise RuntimeError(f"loader key {name} declared twice")
        self.name = name
        KEYS[name] = self

    def of(self, ctx: Context) -> Loader[K, V]:
        return cast("Loader[K, V]", ctx.loaders[self.name])

    def __repr__(self) -> str:
        return f"LoaderKey({self.name!r})"


def loader(name: str, batch: Callable[[Context, list[K]], Awaitable[Sequence[V | BaseException]]], *,
           shared: bool = False) -> LoaderKey[K, V]:
    """Register `batch` under `name` (see register_loader) and return its typed key. A batch may answer a key with
    an exception instead of a value: that key's load raises it."""
    key: LoaderKey[K, V] = LoaderKey(name)
    register_loader(key, batch, shared=shared)
    return key


@overload
def register_loader(key: LoaderKey[K, V],
                    batch: Callable[[Context, list[K]], Awaitable[Sequence[V | BaseException]]], *,
                    shared: bool = False) -> None: ...


@overload
def register_loader(key: str, batch: Callable[[Context, list[Any]], Awaitable[Sequence[Any]]], *,
                    shared: bool = False) -> None: ...


def register_loader(key: str | LoaderKey[Any, Any],
                    batch: Callable[[Context, list[Any]], Awaitable[Sequence[Any]]], *,
                    shared: bool = False) -> None:
    """Domains register batch functions; each request gets its own DataLoader per name.

    `shared` declares that the batch ignores the caller (no scoping, no masking): the subscribers of one published
    event then share a single DataLoader for it (see event_loads), so N sockets cost one read per relation.
    """
    name = key if isinstance(key, str) else key.name
    if name in _LOADERS and _LOADERS[name] is not batch:
        raise RuntimeError(f"loader {name} registered twice")
    _LOADERS[name] = cast(BatchFn, batch)
    if shared:
        _SHARED.add(name)


def unregistered_keys() -> list[str]:
    """Names of keys declared without a batch (once every domain is imported, there should be none)."""
    return sorted(name for name in KEYS if name not in _LOADERS)


class SharedLoads:
    """The caller-independent DataLoaders of one published event, shared by this process's subscribers."""

    def __init__(self) -> None:
        self._made: dict[str, Loader[Any, Any]] = {}

    def loader(self, name: str, ctx: Context) -> Loader[Any, Any]:
        made = self._made.get(name)
        if made is None:
            batch = _LOADERS[name]

            async def load_fn(keys: list[Any], _batch: BatchFn = batch) -> list[Any]:
                return await _batch(ctx, keys)  # a shared batch does not look at ctx

            made = self._made[name] = Loader(load_fn)
        return made


_event_loads: OrderedDict[str, tuple[float, SharedLoads]] = OrderedDict()


def event_loads(event_id: str | None) -> SharedLoads | None:
    """The shared loads of a published event (by the `eid` events.flush gives it); None for an event without one."""
    if not event_id:
        return None
    now = time.monotonic()
    while _event_loads and (len(_event_loads) >= EVENT_LOADS_KEPT
                            or next(iter(_event_loads.values()))[0] < now - EVENT_LOADS_SECONDS):
        _event_loads.popitem(last=False)
    hit = _event_loads.get(event_id)
    if hit is None:
        hit = _event_loads[event_id] = (now, SharedLoads())
    return hit[1]


class Loaders:
    def __init__(self, ctx: Context, shared: SharedLoads | None = None) -> None:
        self._ctx = ctx
        self._shared = shared
        self._made: dict[str, Loader[Any, Any]] = {}
        # Object visibility decided for this request (core.access): (type name, pk) -> may the caller see it.
        self.visibility: dict[tuple[str, int], bool] = {}
        self.visibility_loaders: dict[str, Loader[Any, bool]] = {}
        # Per-request facts about the caller that several rules read (e.g. the units they are bound to).
        self.memo: dict[str, Any] = {}

    def shares(self, name: str) -> bool:
        """Whether `name` resolves through loads shared with other subscribers of the same event."""
        return self._shared is not None and name in _SHARED

    def __getitem__(self, name: str) -> Loader[Any, Any]:
        if self._shared is not None and name in _SHARED:
            return self._shared.loader(name, self._ctx)
        loader = self._made.get(name)
        if loader is None:
            batch = _LOADERS[name]
            ctx = self._ctx

            async def load_fn(keys: list[Any], _batch: BatchFn = batch) -> list[Any]:
                return await _batch(ctx, keys)

            loader = Loader(load_fn)
            self._made[name] = loader
        return loader


class Context:
    """What every resolver gets as `info.context`."""

    def __init__(
        self,
        *,
        request: Any = None,
        response: Any = None,
        principal: Principal | None = None,
        auth_error: str | None = None,
        ip: str = "",
        user_agent: str = "",
        request_id: str | None = None,
    ) -> None:
        self.request = request
        self.response = response
        self.principal = principal
        self.auth_error = auth_error
        self.ip = ip
        self.user_agent = user_agent
        self.request_id = request_id or uuid.uuid4().hex[:16]
        self.loaders = Loaders(self)
        self.connection_params: dict[str, Any] | None = None
        self.after_commit: list[Callable[[], Awaitable[None]]] = []
        self.authorization: str | None = None
        self.authenticator: Callable[[str | None], Awaitable[tuple[Principal | None, str | None]]] | None = None
        # Name of the shared loader that does authenticator's work for many callers at once (see refresh_principal).
        self.principal_loader: str | None = None

    async def refresh_principal(self) -> None:
        """Load the caller again (long-lived sockets): revocations and role changes apply at once.

        After reset_loaders(event_loads(...)), the subscribers handling that event load their callers together
        through the shared `principal_loader` (one read for all, made after the event's commit).
        """
        if self.principal_loader is not None and self.loaders.shares(self.principal_loader):
            self.principal, self.auth_error = await self.loaders[self.principal_loader].load(self.authorization)
        elif self.authenticator is not None:
            self.principal, self.auth_error = await self.authenticator(self.authorization)

    def reset_loaders(self, shared: SharedLoads | None = None) -> None:
        """Subscriptions re-read state per event: drop cached rows (sharing `shared`'s with other subscribers)."""
        self.loaders = Loaders(self, shared)
