"""The owner app at /h5/: its own history fallback, its own files (manifest, service worker), /h5 → /h5/."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.settings import load_settings

CONSOLE = b"<!doctype html><title>Courtyard</title>"
OWNER = b"<!doctype html><title>owner app</title>"


@pytest.fixture
def owner_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from backend import main
    from backend import settings as settings_module

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "h5" / "icons").mkdir(parents=True)
    (dist / "index.html").write_bytes(CONSOLE)
    (dist / "h5" / "index.html").write_bytes(OWNER)
    (dist / "h5" / "index.html.gz").write_bytes(gzip.compress(OWNER))
    (dist / "h5" / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "h5" / "manifest.webmanifest").write_text('{"start_url": "/h5/"}')
    (dist / "h5" / "icons" / "icon-192.png").write_bytes(b"\x89PNG")
    monkeypatch.setattr(main, "FRONTEND_DIST", dist)
    settings = load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path), "LOG_FORMAT": "text",
                              "DATABASE_URL": f"sqlite://{tmp_path / 'unused.sqlite3'}"})
    monkeypatch.setattr(settings_module, "_override", settings)
    return main.create_app(settings)


async def _get(site: Any, path: str, encoding: str = "") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://testserver") as client:
        return await client.get(path, headers={"accept-encoding": encoding})


@pytest.mark.parametrize("path", ["/h5/", "/h5/login", "/h5/repairs/42", "/h5/homes/find?x=1"])
async def test_owner_app_paths_get_its_page_not_the_consoles(owner_site: Any, path: str) -> None:
    resp = await _get(owner_site, path)
    assert resp.status_code == 200
    assert resp.content == OWNER
    assert resp.headers["cache-control"] == "no-cache"


async def test_owner_page_is_served_precompressed(owner_site: Any) -> None:
    resp = await _get(owner_site, "/h5/profile", "gzip")
    assert resp.headers.get("content-encoding") == "gzip"
    assert resp.content == OWNER  # httpx decodes it


async def test_bare_h5_redirects_to_the_app(owner_site: Any) -> None:
    resp = await _get(owner_site, "/h5")
    assert resp.status_code == 308 and resp.headers["location"] == "/h5/"


async def test_its_own_files_are_served_and_missing_files_are_404_not_the_page(owner_site: Any) -> None:
    sw = await _get(owner_site, "/h5/sw.js")
    assert sw.status_code == 200 and sw.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    # revalidated, so a new service worker reaches phones at their next visit
    assert sw.headers["cache-control"] == "no-cache"
    manifest = await _get(owner_site, "/h5/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json() == {"start_url": "/h5/"}
    icon = await _get(owner_site, "/h5/icons/icon-192.png")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    missing = await _get(owner_site, "/h5/gone.js")
    assert missing.status_code == 404
    # a file name that climbs out of dist/h5 is refused, not resolved
    escape = await _get(owner_site, "/h5/..%2Findex.html")
    assert escape.status_code == 404 and escape.content != CONSOLE


async def test_console_keeps_its_own_fallback(owner_site: Any) -> None:
    for path in ["/", "/login", "/owners/42", "/h50"]:
        resp = await _get(owner_site, path)
        assert resp.status_code == 200 and resp.content == CONSOLE, path
