"""Process-wide services (broker, rate limiter, SMS sender, outbound HTTP) set up in the lifespan."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

log = logging.getLogger("courtyard.sms")


class SmsSender(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class LogSmsSender:
    """Dev sender: writes the message to the log instead of sending it."""

    async def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text)


@dataclass
class CaptureSmsSender:
    """Test sender: keeps every message so a test can read the code."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def last_code(self, phone: str) -> str:
        for to, text in reversed(self.sent):
            if to == phone:
                return "".join(ch for ch in text if ch.isdigit())[:6]
        raise LookupError(phone)


@dataclass
class Runtime:
    broker: Any
    limiter: Any
    sms: SmsSender
    http: httpx.AsyncClient
    storage: Any = None  # backend.core.storage.Storage

    async def close(self) -> None:
        await self.http.aclose()
        await self.broker.stop()
        await self.limiter.aclose()


_runtime: list[Runtime] = []


def build_runtime(*, redis_url: str | None, sms_backend: str, transport: Any = None,
                  data_dir: Path | None = None) -> Runtime:
    from backend.core.pubsub import create_broker
    from backend.core.ratelimit import create_rate_limiter
    from backend.core.storage import LocalStorage
    from backend.settings import get_settings

    sms: SmsSender = CaptureSmsSender() if sms_backend == "capture" else LogSmsSender()
    return Runtime(
        broker=create_broker(redis_url),
        limiter=create_rate_limiter(redis_url),
        sms=sms,
        http=httpx.AsyncClient(timeout=10.0, transport=transport),
        storage=LocalStorage((data_dir or get_settings().data_dir) / "uploads"),
    )


def set_runtime(rt: Runtime | None) -> None:
    _runtime[:] = [rt] if rt else []


def get_runtime() -> Runtime:
    if not _runtime:
        raise RuntimeError("runtime not started")
    return _runtime[0]
