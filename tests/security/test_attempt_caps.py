"""Caps on credential checks hold when the guesses arrive in parallel, and every credential mutation is limited.

`asyncio.gather` over the ASGI client interleaves the requests at every await, and on PostgreSQL and MariaDB
each request's transaction runs on its own pooled connection: a read-then-write check lets them all pass.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from backend.core.ratelimit import MemoryRateLimiter, Rule
from backend.core.runtime import get_runtime
from backend.domains.auth import service
from backend.domains.auth.models import SmsCode
from tests.conftest import WECHAT_OPENIDS, Api
from tests.factories import make_user, next_phone

PASSWORD = "Corr3ct-horse"
PARALLEL = 30

SMS_SEND = """
mutation($phone: String!, $purpose: SmsPurpose!) {
  authSmsSend(phone: $phone, purpose: $purpose) { ok errors { code } }
}"""

PASSWORD_LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) { tokens { accessToken refreshToken } errors { code } }
}"""

SMS_LOGIN = """
mutation($phone: String!, $code: String!) {
  authSmsLogin(phone: $phone, code: $code) { tokens { accessToken } errors { code } }
}"""

PASSWORD_RESET = """
mutation($phone: String!, $code: String!, $newPassword: String!) {
  authPasswordReset(phone: $phone, code: $code, newPassword: $newPassword) { ok errors { code } }
}"""

WECHAT_LOGIN = """
mutation($code: String!, $phone: String, $smsCode: String) {
  authWechatLogin(code: $code, phone: $phone, smsCode: $smsCode) { tokens { accessToken } errors { code } }
}"""

REFRESH = """
mutation($refreshToken: String!) {
  authRefresh(refreshToken: $refreshToken) { tokens { accessToken } errors { code } }
}"""


class Unlimited:
    """A limiter that never refuses: isolates the database's own cap on a code's tries."""

    async def hit(self, key: str, rules: Sequence[Rule], *, field: str | None = None) -> None:
        return None

    async def refund(self, key: str, rules: Sequence[Rule]) -> None:
        return None

    async def peek(self, key: str, rules: Sequence[Rule]) -> bool:
        return True

    async def reset(self, key: str, rules: Sequence[Rule]) -> None:
        return None

    async def count(self, key: str, rule: Rule) -> int:
        return 0

    async def retry_after(self, key: str, rules: Sequence[Rule]) -> int:
        return 0

    async def aclose(self) -> None:
        return None


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def unlimited(api: Api) -> None:
    runtime = get_runtime()
    previous, runtime.limiter = runtime.limiter, Unlimited()  # type: ignore[assignment]
    await previous.aclose()


@pytest.fixture
async def clock(api: Api) -> FakeClock:
    """An in-memory limiter on a hand-moved clock (codes still expire on the real one)."""
    fake = FakeClock(100 * 86400.0)
    runtime = get_runtime()
    previous, runtime.limiter = runtime.limiter, MemoryRateLimiter(now=fake)
    await previous.aclose()
    return fake


@pytest.fixture
async def other_ip(app: Any) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5678))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


@pytest.fixture
def code_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SMS code the service compared with a stored one (each comparison hashes the guess once)."""
    seen: list[str] = []
    real = service.keyed_hash

    def counting(value: str, purpose: str) -> str:
        if purpose == "sms":
            seen.append(value)
        return real(value, purpose)

    monkeypatch.setattr(service, "keyed_hash", counting)
    return seen


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password argon2 verified during sign-in."""
    seen: list[str] = []
    real = service.verify_password

    async def counting(hashed: str, password: str) -> bool:
        seen.append(password)
        return await real(hashed, password)

    monkeypatch.setattr(service, "verify_password", counting)
    return seen


async def clear_of_window_edge(window: int, margin: float = 3.0) -> None:
    """Limits count in fixed windows: start a counting test away from a window edge, on either clock."""
    left = [window - clock() % window for clock in (time.time, time.monotonic)]
    await asyncio.sleep(max([s + 0.05 for s in left if s < margin], default=0))


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def one_code(payload: dict) -> str:
    assert len(payload["errors"]) == 1, payload
    return str(payload["errors"][0]["code"])


async def send(api: Api, phone: str, purpose: str) -> None:
    result = (await api.gql(SMS_SEND, {"phone": phone, "purpose": purpose}))["authSmsSend"]
    assert result == {"ok": True, "errors": []}


def wrong_codes(code: str, count: int) -> list[str]:
    return [f"{(int(code) + 1 + i) % 10**6:06d}" for i in range(count)]


async def check_code(api: Api, purpose: str, phone: str, code: str) -> dict:
    """Present an SMS code through the mutation that consumes codes of `purpose`."""
    if purpose == "LOGIN":
        return (await api.gql(SMS_LOGIN, {"phone": phone, "code": code}))["authSmsLogin"]
    if purpose == "RESET":
        variables = {"phone": phone, "code": code, "newPassword": "N3w-password!"}
        return (await api.gql(PASSWORD_RESET, variables))["authPasswordReset"]
    WECHAT_OPENIDS["js-new"] = "openid-new"
    return (await api.gql(WECHAT_LOGIN, {"code": "js-new", "phone": phone, "smsCode": code}))["authWechatLogin"]


async def password_login(api: Api, phone: str, password: str) -> dict:
    return (await api.gql(PASSWORD_LOGIN, {"phone": phone, "password": password}))["authPasswordLogin"]


# --- one SMS code, many parallel guesses ------------------------------------------------------------------

@pytest.mark.parametrize("purpose", ["LOGIN", "RESET", "BIND"])
async def test_parallel_wrong_codes_are_compared_at_most_five_times(api, sms, unlimited, code_checks, purpose):
    # given a code sent to an account's phone, and no rate limit in the way (the code's own cap alone)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await send(api, phone, purpose)
    code = sms.last_code(phone)
    code_checks.clear()  # sending hashed the code once

    # when 30 wrong guesses arrive at once
    results = await asyncio.gather(*(check_code(api, purpose, phone, g) for g in wrong_codes(code, PARALLEL)))

    # then only five were compared; the rest were refused without a comparison
    answers = [one_code(r) for r in results]
    assert answers.count("CODE_INVALID") == service.SMS_MAX_TRIES, answers
    assert set(answers) == {"CODE_INVALID", "CODE_EXPIRED"}
    assert len(code_checks) == service.SMS_MAX_TRIES
    row = await SmsCode.get(phone_hash=service.phone_hash(phone))
    assert row.attempts == service.SMS_MAX_TRIES
    assert row.consumed_at is not None

    # and the code is burned: the right one is refused too
    assert one_code(await check_code(api, purpose, phone, code)) == "CODE_EXPIRED"


async def test_parallel_guesses_with_the_right_code_among_them_sign_in_at_most_once(api, sms, unlimited):
    phone = next_phone()
    await make_user(phone=phone)
    await send(api, phone, "LOGIN")
    code = sms.last_code(phone)
    guesses = [code, *wrong_codes(code, 3)] * 3

    results = await asyncio.gather(*(check_code(api, "LOGIN", phone, g) for g in guesses))

    # then the code signed in once at most (usually once: its tries may all go to wrong guesses first),
    # and never more than five guesses were compared
    signed_in = sum(1 for r in results if r["errors"] == [])
    assert signed_in <= 1
    assert signed_in + sum(1 for r in results if codes(r) == ["CODE_INVALID"]) <= service.SMS_MAX_TRIES


async def test_parallel_wrong_codes_with_the_limits_on_still_compare_at_most_five(api, sms, code_checks):
    await clear_of_window_edge(900)
    phone = next_phone()
    await send(api, phone, "LOGIN")
    code = sms.last_code(phone)
    code_checks.clear()

    results = await asyncio.gather(*(check_code(api, "LOGIN", phone, g) for g in wrong_codes(code, PARALLEL)))

    answers = [one_code(r) for r in results]
    assert answers.count("CODE_INVALID") <= service.SMS_MAX_TRIES, answers
    assert set(answers) <= {"CODE_INVALID", "CODE_EXPIRED", "RATE_LIMITED"}
    assert len(code_checks) <= service.SMS_MAX_TRIES
    assert all(r["tokens"] is None for r in results)
    assert codes(await check_code(api, "LOGIN", phone, code)) in (["CODE_EXPIRED"], ["RATE_LIMITED"])


# --- one account, many parallel passwords -----------------------------------------------------------------

async def test_parallel_wrong_passwords_check_at_most_five(api, password_checks):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    results = await asyncio.gather(*(password_login(api, phone, f"Wrong-guess-{i}") for i in range(PARALLEL)))

    answers = [one_code(r) for r in results]
    assert answers.count("INVALID_CREDENTIALS") == 5, answers
    assert answers.count("ACCOUNT_LOCKED") == PARALLEL - 5
    assert len(password_checks) == 5
    # and the lock holds for the right password, without checking it
    assert codes(await password_login(api, phone, PASSWORD)) == ["ACCOUNT_LOCKED"]
    assert len(password_checks) == 5


async def test_parallel_wrong_passwords_from_one_address_check_at_most_thirty(api, other_ip, password_checks):
    await clear_of_window_edge(900)
    # 40 guesses at once from one address, each for another number (so no account locks)
    results = await asyncio.gather(*(password_login(api, next_phone(), "Wrong-guess-1") for _ in range(40)))

    answers = [one_code(r) for r in results]
    assert answers.count("INVALID_CREDENTIALS") == 30, answers
    assert answers.count("RATE_LIMITED") == 10
    assert len(password_checks) == 30
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    assert codes(await password_login(api, phone, PASSWORD)) == ["RATE_LIMITED"]
    # the refusals did not count against the account
    assert (await password_login(other_ip, phone, PASSWORD))["errors"] == []


async def test_good_sign_ins_do_not_use_up_the_address(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    for _ in range(35):
        assert (await password_login(api, phone, PASSWORD))["errors"] == []


async def test_a_good_sign_in_starts_the_account_count_again(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    for _ in range(4):
        assert codes(await password_login(api, phone, "Wrong-guess-1")) == ["INVALID_CREDENTIALS"]
    assert (await password_login(api, phone, PASSWORD))["errors"] == []

    for _ in range(5):
        assert codes(await password_login(api, phone, "Wrong-guess-1")) == ["INVALID_CREDENTIALS"]

    assert codes(await password_login(api, phone, PASSWORD)) == ["ACCOUNT_LOCKED"]


# --- the other credential mutations -----------------------------------------------------------------------

async def test_password_reset_attempts_are_limited_per_address(api, other_ip, sms):
    await clear_of_window_edge(3600)
    # given a reset code for an account, and ten reset attempts from one address on other numbers
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await send(other_ip, phone, "RESET")
    for _ in range(10):
        assert one_code(await check_code(api, "RESET", next_phone(), "123456")) == "CODE_EXPIRED"

    # then that address may not reset, even with the right code
    assert codes(await check_code(api, "RESET", phone, sms.last_code(phone))) == ["RATE_LIMITED"]
    # and the refusal did not spend the code
    assert (await check_code(other_ip, "RESET", phone, sms.last_code(phone)))["errors"] == []


async def test_parallel_password_resets_from_one_address_are_capped(api):
    await clear_of_window_edge(3600)
    # each for another phone, so only the address limit applies
    results = await asyncio.gather(*(check_code(api, "RESET", next_phone(), "123456") for _ in range(PARALLEL)))

    answers = [one_code(r) for r in results]
    assert answers.count("CODE_EXPIRED") == 10, answers
    assert answers.count("RATE_LIMITED") == PARALLEL - 10


@pytest.mark.parametrize("purpose", ["LOGIN", "RESET", "BIND"])
async def test_wrong_codes_are_limited_per_phone_across_codes(app, api, other_ip, sms, clock, purpose):
    # given ten wrong guesses for one phone, spread over two codes (each burned after five)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    for client in (api, other_ip):
        await send(client, phone, purpose)
        clock.advance(61)
        for guess in wrong_codes(sms.last_code(phone), 5):
            assert one_code(await check_code(client, purpose, phone, guess)) == "CODE_INVALID"

    # then a third code is refused for that phone, even right and from a third address
    await send(api, phone, purpose)
    code = sms.last_code(phone)
    transport = httpx.ASGITransport(app=app, client=("10.5.5.5", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        third = Api(client)
        assert codes(await check_code(third, purpose, phone, code)) == ["RATE_LIMITED"]

        # until the hour is over; the refusal did not spend the code
        clock.advance(3600)
        assert (await check_code(third, purpose, phone, code))["errors"] == []


async def test_failed_wechat_binds_count_against_the_address(api, other_ip, sms):
    await clear_of_window_edge(900)
    WECHAT_OPENIDS["js-new"] = "openid-new"
    for _ in range(30):
        assert one_code(await check_code(api, "BIND", next_phone(), "123456")) == "CODE_EXPIRED"
    phone = next_phone()
    await send(other_ip, phone, "BIND")

    assert codes(await check_code(api, "BIND", phone, sms.last_code(phone))) == ["RATE_LIMITED"]
    assert (await check_code(other_ip, "BIND", phone, sms.last_code(phone)))["errors"] == []


async def test_failed_refreshes_count_against_the_address(api, other_ip):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    refresh_token = (await password_login(other_ip, phone, PASSWORD))["tokens"]["refreshToken"]
    for i in range(30):
        result = (await api.gql(REFRESH, {"refreshToken": f"not-a-token-{i}"}))["authRefresh"]
        assert codes(result) == ["TOKEN_INVALID"]

    refused = (await api.gql(REFRESH, {"refreshToken": refresh_token}))["authRefresh"]
    assert codes(refused) == ["RATE_LIMITED"]
    # the refusal did not spend the token
    assert (await other_ip.gql(REFRESH, {"refreshToken": refresh_token}))["authRefresh"]["errors"] == []


async def test_good_refreshes_do_not_use_up_the_address(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    token = (await password_login(api, phone, PASSWORD))["tokens"]["refreshToken"]
    for _ in range(40):
        result = (await api.gql(
            "mutation($t: String!) { authRefresh(refreshToken: $t) { tokens { refreshToken } errors { code } } }",
            {"t": token}))["authRefresh"]
        assert result["errors"] == []
        token = result["tokens"]["refreshToken"]
