"""Checking a password takes tens of milliseconds of CPU (argon2): sign-in and credential mutations do it outside any
transaction, so on SQLite (one connection for everyone) other requests do not wait for it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from backend.core.crypto import open_phone
from backend.domains.auth import service as auth_service
from backend.domains.auth import sessions as auth_sessions
from tests.factories import make_user, make_world, token_for

LOGIN = 'mutation($p: String!) { authPasswordLogin(phone: $p, password: "Right-Pass-2026") { errors { code } } }'
CHANGE = """mutation { authPasswordChange(currentPassword: "Right-Pass-2026", newPassword: "Other-Pass-2026x")
  { errors { code } } }"""
SLOW = 1.0  # seconds a password check takes here (real argon2 runs in a worker thread, off the event loop)


@pytest.fixture
def slow_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    real = auth_service.verify_password

    async def slow(hashed: str, password: str) -> bool:
        await asyncio.sleep(SLOW)  # the time a worker thread would spend; the event loop stays free meanwhile
        return await real(hashed, password)

    monkeypatch.setattr(auth_service, "verify_password", slow)
    monkeypatch.setattr(auth_sessions, "verify_password", slow)


async def _read_while(api: Any, slow_call: Any, reader_token: str) -> float:
    """How long a plain read takes while `slow_call` is checking a password."""
    task = asyncio.ensure_future(slow_call)
    await asyncio.sleep(0.1)  # the slow call is now inside its password check
    started = time.perf_counter()
    body = await api.gql("{ viewer { user { name } } communities { totalCount } }", token=reader_token)
    took = time.perf_counter() - started
    assert body["viewer"] is not None
    await task
    return took


@pytest.mark.parametrize("mutation", ["login", "change"])
async def test_reads_do_not_wait_for_a_password_check(api: Any, slow_checks: None, mutation: str) -> None:
    w = await make_world("A")
    person = await make_user("Person", password="Right-Pass-2026")
    reader = await token_for(w.admin)
    if mutation == "login":
        call = api.raw(LOGIN, {"p": open_phone(person.phone_enc, person.phone_hash)})
    else:
        call = api.raw(CHANGE, token=await token_for(person))
    took = await _read_while(api, call, reader)
    assert took < SLOW / 2, f"a read waited {took:.2f} s for a {mutation} checking a password"
