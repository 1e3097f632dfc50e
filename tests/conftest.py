"""Test harness: one migrated database per run (SQLite, or TEST_DATABASE_URL), the real app over ASGI."""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.contrib.test import truncate_all_models

from backend.cli import migrate
from backend.core.runtime import CaptureSmsSender, get_runtime
from backend.settings import load_settings, override_settings
from tests.support.db import create_database, drop_database
from tests.support.secrets_scan import RunScanner, report

# The job tests' fixtures (a registry of the test's own jobs, runners stopped after it).
pytest_plugins = ["tests.support.jobs"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
WECHAT_OPENIDS: dict[str, str] = {}


def wechat_handler(request: httpx.Request) -> httpx.Response:
    """Stands in for WeChat's jscode2session: known codes map to openids, others get errcode 40029."""
    assert request.url.path == "/sns/jscode2session"
    code = request.url.params.get("js_code", "")
    if code == "wechat-down":
        return httpx.Response(502, text="bad gateway")
    if code in WECHAT_OPENIDS:
        return httpx.Response(200, json={"openid": WECHAT_OPENIDS[code], "session_key": "k"})
    return httpx.Response(200, json={"errcode": 40029, "errmsg": "invalid code"})


class Api:
    """A GraphQL client over the real ASGI app."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None,
                  headers: dict[str, str] | None = None) -> dict[str, Any]:
        h = dict(headers or {})
        if token:
            h["authorization"] = f"Bearer {token}"
        resp = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)
        assert resp.status_code in (200, 400), resp.text
        return resp.json()

    async def gql(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        """Run an operation that must not produce top-level errors; returns `data`."""
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body
        return body["data"]


@pytest.fixture(scope="session", autouse=True)
def _no_secrets_in_logs() -> Iterator[None]:
    """Every log record of the run, as written: a full mobile, a JWT, a refresh token or a sent code fails it."""
    root = logging.getLogger()
    scanner = RunScanner()
    root.handlers.insert(0, scanner)  # ahead of the app's handler, whose redaction filter rewrites records
    yield
    root.removeHandler(scanner)
    findings = scanner.all_findings(CaptureSmsSender.issued_codes)
    if findings:
        pytest.fail(report(findings, "this test run's logs"), pytrace=False)


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Any]:
    tmp = Path(tempfile.mkdtemp(prefix="courtyard-test-"))
    db_url, db_name = await create_database(TEST_DATABASE_URL, tmp)
    settings = load_settings({
        "COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp), "DATABASE_URL": db_url,
        "REDIS_URL": TEST_REDIS_URL or "", "LOG_FORMAT": "text",
    })
    override_settings(settings)
    try:
        await migrate(db_url)
        from backend.main import create_app

        application = create_app(settings, runtime_transport=httpx.MockTransport(wechat_handler))
        async with application.router.lifespan_context(application):
            yield application
    finally:
        override_settings(None)
        await drop_database(TEST_DATABASE_URL, db_name)


@pytest.fixture(autouse=True)
def _settings_kept() -> Iterator[None]:
    """Whatever settings a test installs are undone to those installed before it. A test with settings of its own
    ends with override_settings(None), which would also drop the session's (the `app` fixture's): every later
    get_settings() would read the environment, e.g. hand a job process ./data/courtyard.sqlite3, a database
    without tables, instead of the test database."""
    from backend import settings as settings_module

    before = settings_module._override
    yield
    if settings_module._override is not before:
        override_settings(before)


@pytest.fixture
async def api(app: Any) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


@pytest.fixture(autouse=True)
async def _clean(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the app starts with empty tables, fresh rate limits and no captured SMS."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    runtime = get_runtime()
    if TEST_REDIS_URL:
        from redis.asyncio import Redis

        from backend.core.ratelimit import RedisRateLimiter

        runtime.limiter = RedisRateLimiter(Redis.from_url(TEST_REDIS_URL), prefix=f"rl:test:{uuid.uuid4().hex}:",
                                           owns_client=True)
    else:
        from backend.core.ratelimit import MemoryRateLimiter

        runtime.limiter = MemoryRateLimiter()
    runtime.sms = CaptureSmsSender()
    WECHAT_OPENIDS.clear()
    from backend.domains.accounts.service import ensure_role_templates

    await ensure_role_templates()
    yield
    await runtime.limiter.aclose()
    await truncate_all_models()


@pytest.fixture
def sms() -> CaptureSmsSender:
    sender = get_runtime().sms
    assert isinstance(sender, CaptureSmsSender)
    return sender
