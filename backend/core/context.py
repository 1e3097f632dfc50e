"""Per-request context: the authenticated principal, per-request DataLoaders, request metadata."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

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


BatchFn = Callable[["Context", list[Any]], Awaitable[list[Any]]]
_LOADERS: dict[str, BatchFn] = {}


def register_loader(name: str, batch: BatchFn) -> None:
    """Domains register batch functions; each request gets its own DataLoader per name."""
    if name in _LOADERS and _LOADERS[name] is not batch:
        raise RuntimeError(f"loader {name} registered twice")
    _LOADERS[name] = batch


class Loaders:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._made: dict[str, DataLoader[Any, Any]] = {}

    def __getitem__(self, name: str) -> DataLoader[Any, Any]:
        loader = self._made.get(name)
        if loader is None:
            batch = _LOADERS[name]
            ctx = self._ctx

            async def load_fn(keys: list[Any], _batch: BatchFn = batch) -> list[Any]:
                return await _batch(ctx, keys)

            loader = DataLoader(load_fn=load_fn)
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

    async def refresh_principal(self) -> None:
        """Load the caller again (long-lived sockets): revocations and role changes apply at once."""
        if self.authenticator is not None:
            self.principal, self.auth_error = await self.authenticator(self.authorization)

    def reset_loaders(self) -> None:
        """Subscriptions re-read state per event: drop cached rows."""
        self.loaders = Loaders(self)
