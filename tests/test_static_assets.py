"""The console's files: precompressed assets chosen by Accept-Encoding, cache headers, the SPA fallback."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.settings import load_settings

SCRIPT = b"export const hello = 'world';\n" * 200
BR = b"pretend-brotli-bytes"  # served as stored: the server never compresses on the fly


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from backend import main
    from backend import settings as settings_module

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Courtyard</title>")
    (dist / "index.html.gz").write_bytes(gzip.compress(b"<!doctype html><title>Courtyard</title>"))
    (dist / "assets" / "login-Ab12Cd34.js").write_bytes(SCRIPT)
    (dist / "assets" / "login-Ab12Cd34.js.gz").write_bytes(gzip.compress(SCRIPT))
    (dist / "assets" / "login-Ab12Cd34.js.br").write_bytes(BR)
    (dist / "assets" / "tiny-Zz99.css").write_text("a{}")  # below the build's threshold: no siblings
    monkeypatch.setattr(main, "FRONTEND_DIST", dist)
    settings = load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path), "LOG_FORMAT": "text",
                              "DATABASE_URL": f"sqlite://{tmp_path / 'unused.sqlite3'}"})
    monkeypatch.setattr(settings_module, "_override", settings)
    return main.create_app(settings)


async def _get(app: Any, path: str, encoding: str | None, method: str = "GET") -> tuple[httpx.Response, bytes]:
    # httpx sends "gzip, deflate" unless told otherwise; None stands for a client that asks for no coding.
    headers = {"accept-encoding": encoding or ""}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        async with client.stream(method, path, headers=headers) as resp:
            raw = b"".join([chunk async for chunk in resp.aiter_raw()])
    return resp, raw


@pytest.mark.parametrize(("accept", "coding", "body"), [
    ("gzip, deflate, br, zstd", "br", BR),
    ("br", "br", BR),
    ("gzip, deflate", "gzip", gzip.compress(SCRIPT)),
    ("br;q=0, gzip", "gzip", gzip.compress(SCRIPT)),
    ("*", "gzip", gzip.compress(SCRIPT)),
    ("identity", None, SCRIPT),
    (None, None, SCRIPT),
])
async def test_hashed_assets_are_served_precompressed_by_accept_encoding(
        console: Any, accept: str | None, coding: str | None, body: bytes) -> None:
    resp, raw = await _get(console, "/assets/login-Ab12Cd34.js", accept)
    assert resp.status_code == 200
    assert resp.headers.get("content-encoding") == coding
    assert raw == body or (coding == "gzip" and gzip.decompress(raw) == SCRIPT)
    assert int(resp.headers["content-length"]) == len(raw)
    assert resp.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_assets_without_siblings_and_missing_assets(console: Any) -> None:
    resp, raw = await _get(console, "/assets/tiny-Zz99.css", "gzip, br")
    assert resp.status_code == 200 and raw == b"a{}" and "content-encoding" not in resp.headers
    assert resp.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing, _ = await _get(console, "/assets/gone-00000000.js", "gzip, br")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    # A sibling is never reachable by a name that escapes the assets directory.
    escape, _ = await _get(console, "/assets/../index.html", "gzip")
    assert escape.status_code in (404, 200) and "immutable" not in escape.headers.get("cache-control", "")


async def test_index_html_is_revalidated_and_also_negotiated(console: Any) -> None:
    for path in ["/", "/login", "/units/42"]:
        resp, raw = await _get(console, path, "gzip, br")
        assert resp.status_code == 200 and resp.headers["cache-control"] == "no-cache", path
        assert resp.headers["content-encoding"] == "gzip" and resp.headers["vary"] == "Accept-Encoding"
        assert gzip.decompress(raw).startswith(b"<!doctype html>")
    plain, raw = await _get(console, "/login", None)
    assert plain.headers["cache-control"] == "no-cache" and raw.startswith(b"<!doctype html>")
    head, raw = await _get(console, "/assets/login-Ab12Cd34.js", "br", method="HEAD")
    assert head.status_code == 200 and raw == b"" and head.headers["content-length"] == str(len(BR))


async def test_revalidation_answers_304_per_encoding(console: Any) -> None:
    for path, accept in [("/assets/login-Ab12Cd34.js", "br"), ("/assets/login-Ab12Cd34.js", "gzip"),
                         ("/assets/login-Ab12Cd34.js", ""), ("/login", "gzip")]:
        first, _ = await _get(console, path, accept)
        etag = first.headers["etag"]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console), base_url="http://testserver") as c:
            again = await c.get(path, headers={"accept-encoding": accept, "if-none-match": etag})
        assert again.status_code == 304 and again.headers["vary"] == "Accept-Encoding", (path, accept)
        assert again.headers["cache-control"] == first.headers["cache-control"]
    # Each coding has its own validator: a cache never takes the brotli body for the gzip one
    br, _ = await _get(console, "/assets/login-Ab12Cd34.js", "br")
    gz, _ = await _get(console, "/assets/login-Ab12Cd34.js", "gzip")
    plain, _ = await _get(console, "/assets/login-Ab12Cd34.js", "")
    assert len({br.headers["etag"], gz.headers["etag"], plain.headers["etag"]}) == 3
