"""LocalStorage: atomic writes under its root, and keys that cannot leave it."""

from __future__ import annotations

import re

import pytest

from backend.core.storage import LocalStorage, StorageKeyError, new_key, signed_url, verify_signature


async def test_put_read_stream_delete(tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    key = new_key("7", "jpg", now=0)
    assert re.fullmatch(r"7/1970/01/[0-9a-f]{32}\.jpg", key)
    assert not await storage.exists(key)
    await storage.put(key, b"x" * 600_000, "image/jpeg")
    assert await storage.exists(key) and await storage.read(key) == b"x" * 600_000
    assert b"".join([c async for c in storage.open(key)]) == b"x" * 600_000
    # No temporary file is left beside it
    assert [p.name for p in storage.path(key).parent.iterdir()] == [key.rsplit("/", 1)[1]]
    await storage.put(key, b"y", "image/jpeg")  # replaced whole
    assert await storage.read(key) == b"y"
    await storage.delete(key)
    await storage.delete(key)  # deleting twice is fine
    assert not await storage.exists(key)
    with pytest.raises(FileNotFoundError):
        await storage.read(key)


@pytest.mark.parametrize("key", ["../secrets.json", "a/../../b.jpg", "/etc/passwd", "a/b", "a//b.jpg", "a/b.JPG",
                                 "a b.jpg", "a/b.jpg/", "", "a\\b.jpg", "a/.hidden.jpg.x/y.jpg"])
async def test_keys_that_no_server_would_generate_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageKeyError):
        storage.path(key)
    with pytest.raises(StorageKeyError):
        await storage.put(key, b"x", "image/jpeg")


async def test_signatures_bind_the_key_and_the_expiry(app):
    # (the app fixture installs the test settings, whose SECRET_KEY signs)
    url, exp = signed_url("1/2024/01/abc.jpg", now=1_000_000)
    sig = url.rsplit("sig=", 1)[1]
    assert verify_signature("1/2024/01/abc.jpg", str(exp), sig, now=1_000_000) == exp - 1_000_000
    assert 15 * 60 <= exp - 1_000_000 < 16 * 60
    assert verify_signature("1/2024/01/abd.jpg", str(exp), sig, now=1_000_000) is None
    assert verify_signature("1/2024/01/abc.jpg", str(exp + 1), sig, now=1_000_000) is None
    assert verify_signature("1/2024/01/abc.jpg", str(exp), sig, now=exp) is None
    assert verify_signature("1/2024/01/abc.jpg", "-1", sig, now=0) is None
    assert verify_signature("1/2024/01/abc.jpg", str(exp), "é" + sig[1:], now=1_000_000) is None
