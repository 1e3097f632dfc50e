"""Batch re-authentication of live subscribers: the sockets that handle one event check their callers together."""

from __future__ import annotations

from backend.core.context import Context, LoaderKey, Principal, loader
from backend.domains.auth.service import authenticate_many


async def principals_by_authorization(ctx: Context, keys: list[str | None]
                                      ) -> list[tuple[Principal | None, str | None]]:
    """(principal, error code) per Authorization value; keyed by the credential alone, so it is shared."""
    return await authenticate_many(keys)


# main.py names it as the context's `principal_loader` (core.context.Context.refresh_principal, core.live).
PRINCIPAL: LoaderKey[str | None, tuple[Principal | None, str | None]] = loader(
    "auth.principal", principals_by_authorization, shared=True)
