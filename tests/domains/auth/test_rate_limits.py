"""Limits on SMS codes and failed sign-ins: per phone, per account, per IP, and not bypassed by aliases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.core.ratelimit import MemoryRateLimiter
from backend.core.runtime import get_runtime
from tests.conftest import Api
from tests.factories import make_user, next_phone

PASSWORD = "Corr3ct-horse"
DAY = 86400.0

SMS_SEND = """
mutation($phone: String!, $purpose: SmsPurpose!) {
  authSmsSend(phone: $phone, purpose: $purpose) { ok errors { field code } }
}"""

PASSWORD_LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) { tokens { accessToken } errors { code } }
}"""

SMS_LOGIN = """
mutation($phone: String!, $code: String!) {
  authSmsLogin(phone: $phone, code: $code) { tokens { accessToken } errors { code } }
}"""


class FakeClock:
    """The limiter's clock, moved by hand."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def clock(api) -> FakeClock:
    """Swap the test's limiter for an in-memory one on a fake clock that starts at midnight (UTC)."""
    fake = FakeClock(100 * DAY)
    runtime = get_runtime()
    previous, runtime.limiter = runtime.limiter, MemoryRateLimiter(now=fake)
    await previous.aclose()
    return fake


@pytest.fixture
async def other_ip(app) -> AsyncIterator[Api]:
    """A second client, from another address than `api`."""
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5678))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


async def clear_of_window_edge(window: int, margin: float = 1.5) -> None:
    """Limits count in fixed windows: start a counting test away from a window edge, on either clock."""
    left = [window - clock() % window for clock in (time.time, time.monotonic)]
    await asyncio.sleep(max([s + 0.05 for s in left if s < margin], default=0))


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def send(api, phone: str, purpose: str = "LOGIN") -> list[str]:
    result = (await api.gql(SMS_SEND, {"phone": phone, "purpose": purpose}))["authSmsSend"]
    assert result["ok"] is (None if result["errors"] else True)
    return codes(result)


async def password_login(api, phone: str, password: str) -> dict:
    return (await api.gql(PASSWORD_LOGIN, {"phone": phone, "password": password}))["authPasswordLogin"]


async def sms_login(api, phone: str, code: str) -> dict:
    return (await api.gql(SMS_LOGIN, {"phone": phone, "code": code}))["authSmsLogin"]


# --- SMS per phone ----------------------------------------------------------------------------------------

async def test_a_second_sms_within_a_minute_is_rate_limited(api, sms):
    await clear_of_window_edge(60)
    phone = next_phone()
    assert await send(api, phone) == []

    # when the same phone asks again at once, in any spelling
    assert await send(api, phone) == ["RATE_LIMITED"]
    assert await send(api, "+86" + phone, "RESET") == ["RATE_LIMITED"]

    # then no second SMS went out, the first code still works, and other phones are not held up
    assert [to for to, _ in sms.sent] == [phone]
    assert (await sms_login(api, phone, sms.last_code(phone)))["errors"] == []
    assert await send(api, next_phone()) == []


async def test_the_minute_limit_lifts_after_the_minute(api, sms, clock):
    phone = next_phone()
    assert await send(api, phone) == []
    clock.advance(59)
    assert await send(api, phone) == ["RATE_LIMITED"]

    clock.advance(1)

    assert await send(api, phone) == []
    assert len(sms.sent) == 2


async def test_six_sms_in_an_hour_are_refused(api, sms, clock):
    # given five codes sent to one phone, a minute apart, within one hour
    phone = next_phone()
    for _ in range(5):
        assert await send(api, phone) == []
        clock.advance(61)

    # then the sixth that hour is refused
    assert await send(api, phone) == ["RATE_LIMITED"]
    clock.advance(3600 - 5 * 61 - 1)
    assert await send(api, phone) == ["RATE_LIMITED"]
    assert len(sms.sent) == 5

    # and the next hour it works again
    clock.advance(1)
    assert await send(api, phone) == []


async def test_eleven_sms_in_a_day_are_refused(api, sms, clock):
    # given ten codes sent to one phone over two hours of one day
    phone = next_phone()
    for _hour in range(2):
        for _ in range(5):
            assert await send(api, phone) == []
            clock.advance(61)
        clock.advance(3600 - 5 * 61)

    # then an eleventh is refused for the rest of the day, in a fresh hour and minute
    assert await send(api, phone) == ["RATE_LIMITED"]
    clock.advance(DAY - 2 * 3600 - 1)
    assert await send(api, phone) == ["RATE_LIMITED"]
    assert len(sms.sent) == 10

    # and the next day it works again
    clock.advance(1)
    assert await send(api, phone) == []


# --- SMS per IP -------------------------------------------------------------------------------------------

async def test_one_address_may_ask_for_30_sms_an_hour(api, other_ip, sms):
    await clear_of_window_edge(3600)
    for _ in range(30):
        assert await send(api, next_phone()) == []

    phone = next_phone()
    assert await send(api, phone) == ["RATE_LIMITED"]
    assert len(sms.sent) == 30
    # another address is not held up, for that same phone
    assert await send(other_ip, phone) == []


async def test_one_address_may_ask_for_100_sms_a_day(api, other_ip, sms, clock):
    for _hour in range(3):
        for _ in range(30):
            assert await send(api, next_phone()) == []
        clock.advance(3600)
    for _ in range(10):
        assert await send(api, next_phone()) == []

    assert await send(api, next_phone()) == ["RATE_LIMITED"]
    clock.advance(3600)
    assert await send(api, next_phone()) == ["RATE_LIMITED"]
    assert len(sms.sent) == 100
    assert await send(other_ip, next_phone()) == []


# --- failed sign-ins --------------------------------------------------------------------------------------

async def test_the_account_lock_lifts_after_its_window(api, clock):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    for _ in range(5):
        assert codes(await password_login(api, phone, "Wrong-guess-1")) == ["INVALID_CREDENTIALS"]
    clock.advance(899)
    assert codes(await password_login(api, phone, PASSWORD)) == ["ACCOUNT_LOCKED"]

    clock.advance(1)

    assert (await password_login(api, phone, PASSWORD))["errors"] == []


async def test_one_address_may_fail_30_password_sign_ins(api, other_ip):
    await clear_of_window_edge(900)
    # given 30 failed sign-ins from one address, each on another number (so no account locks)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    for _ in range(30):
        assert codes(await password_login(api, next_phone(), "Wrong-guess-1")) == ["INVALID_CREDENTIALS"]

    # then that address cannot sign in, even with the right password
    result = await password_login(api, phone, PASSWORD)
    assert codes(result) == ["RATE_LIMITED"]
    assert result["tokens"] is None
    # while the same account signs in from elsewhere
    assert (await password_login(other_ip, phone, PASSWORD))["errors"] == []


async def test_failed_sms_sign_ins_count_against_the_address(api, other_ip, sms):
    await clear_of_window_edge(900)
    # given 30 failed SMS sign-ins from one address, each guessing a code for another number
    for _ in range(30):
        assert codes(await sms_login(api, next_phone(), "000000")) in (["CODE_EXPIRED"], ["CODE_INVALID"])
    phone = next_phone()
    assert await send(other_ip, phone) == []

    # then that address cannot sign in with a right code either
    assert codes(await sms_login(api, phone, sms.last_code(phone))) == ["RATE_LIMITED"]
    # and the code is not spent by the refusal
    assert (await sms_login(other_ip, phone, sms.last_code(phone)))["errors"] == []


def aliased_logins(count: int) -> str:
    fields = "\n".join(
        f"try{i}: authPasswordLogin(phone: $phone, password: $password) {{ tokens {{ accessToken }} errors {{ code }} }}"
        for i in range(count)
    )
    return f"mutation($phone: String!, $password: String!) {{\n{fields}\n}}"


async def test_aliasing_many_sign_ins_in_one_request_still_locks_the_account(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    # when ten guesses arrive as aliases of one request
    data = await api.gql(aliased_logins(10), {"phone": phone, "password": "Wrong-guess-1"})

    # then only five were checked and the rest found the account locked
    results = [data[f"try{i}"] for i in range(10)]
    assert [codes(r) for r in results] == [["INVALID_CREDENTIALS"]] * 5 + [["ACCOUNT_LOCKED"]] * 5
    assert all(r["tokens"] is None for r in results)
    # and the account stays locked for the right password
    assert codes(await password_login(api, phone, PASSWORD)) == ["ACCOUNT_LOCKED"]


async def test_a_lucky_guess_among_aliases_does_not_help_after_the_lock(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    query = "mutation($phone: String!, $bad: String!, $good: String!) {\n" + "\n".join(
        f"try{i}: authPasswordLogin(phone: $phone, password: ${'good' if i == 7 else 'bad'}) {{ errors {{ code }} }}"
        for i in range(10)
    ) + "\n}"

    data = await api.gql(query, {"phone": phone, "bad": "Wrong-guess-1", "good": PASSWORD})

    assert codes(data["try7"]) == ["ACCOUNT_LOCKED"]


async def test_at_most_15_aliases_per_request(api):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    # 16 aliases are refused before anything runs
    body = await api.raw(aliased_logins(16), {"phone": phone, "password": "Wrong-guess-1"})
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["TOO_MANY_ALIASES"]
    assert (await password_login(api, phone, PASSWORD))["errors"] == []

    # 15 run
    data = await api.gql(aliased_logins(15), {"phone": phone, "password": PASSWORD})
    assert all(data[f"try{i}"]["errors"] == [] for i in range(15))
