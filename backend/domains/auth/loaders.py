"""Batch re-authentication of live subscribers: the sockets that handle one event check their callers together."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context, register_loader
from backend.domains.auth.service import authenticate_many


async def principals_by_authorization(ctx: Context, keys: list[str | None]) -> list[Any]:
    """(principal, error code) per Authorization value; keyed by the credential alone, so it is shared."""
    return await authenticate_many(keys)


register_loader("auth.principal", principals_by_authorization, shared=True)
