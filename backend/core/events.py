"""Events published after commit: services `emit`, run_mutation flushes once the transaction commits."""

from __future__ import annotations

import contextvars
import logging
import uuid
from typing import Any

from backend.core.runtime import get_runtime

log = logging.getLogger("courtyard.events")
_pending: contextvars.ContextVar[list[tuple[str, dict[str, Any]]] | None] = contextvars.ContextVar(
    "courtyard_pending_events", default=None
)


def begin() -> contextvars.Token:
    return _pending.set([])


def discard(token: contextvars.Token) -> None:
    _pending.reset(token)


def emit(channel: str, message: dict[str, Any]) -> None:
    """Queue an event; it is published only if the surrounding mutation commits."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("emit() outside a mutation: use publish() directly")
    pending.append((channel, message))


async def flush(token: contextvars.Token) -> None:
    pending = _pending.get() or []
    _pending.reset(token)
    # One id for everything one commit published: a process's subscribers of these events share their reads of
    # the committed state (context.event_loads).
    eid = uuid.uuid4().hex
    for channel, message in pending:
        await publish(channel, {**message, "eid": eid})


async def publish(channel: str, message: dict[str, Any]) -> None:
    try:
        await get_runtime().broker.publish(channel, message)
    except Exception:  # noqa: BLE001 - pub/sub is fan-out only; the database holds the record
        log.exception("publish to %s failed", channel)
