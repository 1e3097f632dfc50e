"""In-process subscriptions through schema.subscribe, with a socket's context, for domain tests."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.core.context import Context
from backend.domains.auth.service import authenticate
from backend.schema import schema


async def socket_context(token: str) -> Context:
    """The context backend.main builds for a socket signed in with `token`."""
    ctx = Context()
    ctx.authenticator = authenticate
    ctx.principal_loader = "auth.principal"
    ctx.authorization = f"Bearer {token}"
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    return ctx


async def listening(query: str, token: str) -> tuple[Any, asyncio.Future[Any]]:
    """A subscription and its first value, awaited in the background (a stream subscribes when first read)."""
    stream = await schema.subscribe(query, context_value=await socket_context(token))
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # let it reach the broker before the event is made
    return stream, first


async def value(pending: asyncio.Future[Any], field: str) -> dict[str, Any]:
    """The value of `field` in the next result, which must come within 5 seconds and carry no errors."""
    result = await asyncio.wait_for(pending, 5)
    assert result.errors is None, result.errors
    return result.data[field]
