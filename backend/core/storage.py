"""Blob storage behind a small interface (local data dir by default) and signed, expiring URLs to read it back."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import math
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from backend.settings import get_settings

# The largest file any upload accepts (one short video); each domain checks its own, smaller limits.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Multipart framing plus the operations and map parts around the file.
UPLOAD_OVERHEAD = 64 * 1024
URL_LIFETIME = 15 * 60
URL_PREFIX = "/api/files/"
CHUNK = 256 * 1024
# Server-generated keys only: path segments of letters, digits, - and _, and one extension.
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,5}\.[a-z0-9]{1,8}$")


class StorageKeyError(ValueError):
    """A key that no server code would have generated (traversal, odd characters)."""


@runtime_checkable
class Storage(Protocol):
    """Where uploaded bytes live; keys come from `new_key`, never from a client."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` atomically (readers see all of it or nothing)."""
        ...

    async def read(self, key: str) -> bytes:
        """The whole blob; FileNotFoundError when missing."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The blob as a stream of chunks; FileNotFoundError (on first iteration) when missing."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing one is not an error."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether the blob is there."""
        ...


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_RE.match(key) or ".." in key:
        raise StorageKeyError("bad storage key")
    return key


def new_key(prefix: str, ext: str, now: float | None = None) -> str:
    """A fresh key `{prefix}/{yyyy}/{mm}/{uuid}.{ext}`: unguessable, and never built from client input."""
    t = time.gmtime(now if now is not None else time.time())
    return check_key(f"{prefix}/{t.tm_year:04d}/{t.tm_mon:02d}/{uuid.uuid4().hex}.{ext}")


class LocalStorage:
    """Files under a directory: written to a temporary name, fsynced, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """The file of a key, which must stay under the root."""
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise StorageKeyError("bad storage key")
        return path

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        fh = await asyncio.to_thread(open, self.path(key), "rb")
        try:
            while chunk := await asyncio.to_thread(fh.read, CHUNK):
                yield chunk
        finally:
            fh.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)


# ------------------------------------------------------------------------------------------- signed URLs


def _signing_key() -> bytes:
    return _derive(get_settings().secret_key)


_derived: dict[str, bytes] = {}


def _derive(secret: str) -> bytes:
    # A key of its own, so a file signature can never stand in for any other HMAC made with SECRET_KEY.
    key = _derived.get(secret)
    if key is None:
        key = hmac.new(secret.encode(), b"courtyard/files/url-signing/v1", hashlib.sha256).digest()
        _derived.clear()
        _derived[secret] = key
    return key


def _signature(key: str, exp: int) -> str:
    mac = hmac.new(_signing_key(), f"{key}\n{exp}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def signed_url(key: str, *, lifetime: int = URL_LIFETIME, now: float | None = None) -> tuple[str, int]:
    """(relative URL, expiry as unix time) for reading `key`.

    The expiry is rounded up to the minute so one object keeps the same URL for a while (browser caches hit).
    """
    current = time.time() if now is None else now
    exp = int(math.ceil((current + lifetime) / 60) * 60)
    return f"{URL_PREFIX}{check_key(key)}?exp={exp}&sig={_signature(key, exp)}", exp


def verify_signature(key: str, exp: str, sig: str, *, now: float | None = None) -> int | None:
    """Seconds the signature stays valid, or None when it is bad or expired (compared in constant time)."""
    if not (exp.isascii() and exp.isdigit()) or len(exp) > 12 or not sig or len(sig) > 64:
        return None
    if not hmac.compare_digest(_signature(key, int(exp)).encode(), sig.encode()):
        return None
    remaining = int(exp) - int(time.time() if now is None else now)
    return remaining if remaining > 0 else None
