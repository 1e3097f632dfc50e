"""Process-wide services (broker, rate limiter, SMS sender, outbound HTTP) set up in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from backend.core.pubsub import create_broker
from backend.core.ratelimit import create_rate_limiter
from backend.core.sms import CaptureSmsSender, SmsSender, build_sms_sender
from backend.core.storage import LocalStorage, Storage
from backend.settings import get_settings

__all__ = ["CaptureSmsSender", "Runtime", "SmsSender", "build_runtime", "get_runtime", "get_storage", "set_runtime"]


@dataclass
class Runtime:
    broker: Any
    limiter: Any
    sms: SmsSender
    http: httpx.AsyncClient
    storage: Storage | None = None

    async def close(self) -> None:
        await self.http.aclose()
        await self.broker.stop()
        await self.limiter.aclose()


_runtime: list[Runtime] = []


def build_runtime(*, redis_url: str | None, sms_backend: str, transport: Any = None,
                  data_dir: Path | None = None) -> Runtime:
    settings = get_settings()
    sms = build_sms_sender(settings, backend=sms_backend)
    return Runtime(
        broker=create_broker(redis_url),
        limiter=create_rate_limiter(redis_url),
        sms=sms,
        http=httpx.AsyncClient(timeout=10.0, transport=transport),
        storage=LocalStorage((data_dir or settings.data_dir) / "uploads"),
    )


def set_runtime(rt: Runtime | None) -> None:
    _runtime[:] = [rt] if rt else []


def get_runtime() -> Runtime:
    if not _runtime:
        raise RuntimeError("runtime not started")
    return _runtime[0]


def get_storage() -> Storage:
    """The process's file storage, set up with the runtime."""
    storage = get_runtime().storage
    if storage is None:
        raise RuntimeError("no storage configured")
    return storage
