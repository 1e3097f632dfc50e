"""Password sign-in, SMS sign-in and password reset, through the public GraphQL API."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from backend.core.ids import encode_id
from backend.domains.accounts.models import User
from backend.domains.auth.models import SmsCode
from tests.factories import make_user, next_phone

PASSWORD = "Corr3ct-horse"

PASSWORD_LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) {
    tokens { accessToken refreshToken expiresIn }
    user { id }
    errors { field code }
  }
}"""

SMS_SEND = """
mutation($phone: String!, $purpose: SmsPurpose!) {
  authSmsSend(phone: $phone, purpose: $purpose) { ok errors { field code } }
}"""

SMS_LOGIN = """
mutation($phone: String!, $code: String!) {
  authSmsLogin(phone: $phone, code: $code) {
    tokens { accessToken refreshToken expiresIn }
    user { id }
    errors { field code }
  }
}"""

PASSWORD_RESET = """
mutation($phone: String!, $code: String!, $newPassword: String!) {
  authPasswordReset(phone: $phone, code: $code, newPassword: $newPassword) { ok errors { field code } }
}"""

REFRESH = """
mutation($refreshToken: String!) {
  authRefresh(refreshToken: $refreshToken) { tokens { accessToken refreshToken } errors { code } }
}"""

VIEWER = "{ viewer { user { id } } }"


async def clear_of_window_edge(window: int, margin: float = 1.5) -> None:
    """Limits count in fixed windows: start a counting test away from a window edge, on either clock."""
    left = [window - clock() % window for clock in (time.time, time.monotonic)]
    await asyncio.sleep(max([s + 0.05 for s in left if s < margin], default=0))


async def password_login(api, phone: str, password: str) -> dict:
    return (await api.gql(PASSWORD_LOGIN, {"phone": phone, "password": password}))["authPasswordLogin"]


async def sms_login(api, phone: str, code: str) -> dict:
    return (await api.gql(SMS_LOGIN, {"phone": phone, "code": code}))["authSmsLogin"]


async def send_code(api, phone: str, purpose: str = "LOGIN") -> None:
    result = (await api.gql(SMS_SEND, {"phone": phone, "purpose": purpose}))["authSmsSend"]
    assert result == {"ok": True, "errors": []}


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def refused(payload: dict, code: str) -> None:
    """A refused sign-in carries exactly one error with `code` and no tokens or user."""
    assert codes(payload) == [code], payload
    assert payload["tokens"] is None
    assert payload.get("user") is None


async def viewer_error(api, token: str) -> str | None:
    body = await api.raw(VIEWER, token=token)
    if not body.get("errors"):
        return None
    return body["errors"][0]["extensions"]["code"]


# --- password sign-in -------------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["{p}", "+86{p}", "0086 {p}", "{a}-{b}-{c}"])
async def test_password_login_gives_a_token_the_viewer_accepts(api, spelling):
    # given an account with a password
    phone = next_phone()
    user = await make_user("Ann", phone=phone, password=PASSWORD)
    typed = spelling.format(p=phone, a=phone[:3], b=phone[3:7], c=phone[7:])

    # when they sign in, however they spell the number
    result = await password_login(api, typed, PASSWORD)

    # then they get a token pair, and the viewer is them
    assert result["errors"] == []
    assert result["user"]["id"] == encode_id("User", user.id)
    tokens = result["tokens"]
    assert tokens["accessToken"] and tokens["refreshToken"] and tokens["expiresIn"] > 0
    data = await api.gql(VIEWER, token=tokens["accessToken"])
    assert data["viewer"]["user"]["id"] == encode_id("User", user.id)


async def test_viewer_is_null_without_a_token(api):
    assert (await api.gql(VIEWER))["viewer"] is None


async def test_wrong_password_is_invalid_credentials(api):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    refused(await password_login(api, phone, PASSWORD + "x"), "INVALID_CREDENTIALS")


async def test_unknown_phone_is_the_same_invalid_credentials(api):
    refused(await password_login(api, next_phone(), PASSWORD), "INVALID_CREDENTIALS")


async def test_account_without_a_password_cannot_sign_in_with_one(api):
    # given an account made by SMS sign-in, which has no password
    phone = next_phone()
    await make_user(phone=phone)

    refused(await password_login(api, phone, ""), "INVALID_CREDENTIALS")
    refused(await password_login(api, phone, PASSWORD), "INVALID_CREDENTIALS")


@pytest.mark.parametrize("phone", ["", "12345", "not a phone", "+1 650 555 0100", "23800001111", "1" * 40,
                                   "１３８００００１１１１"])
async def test_malformed_phone_is_invalid_phone(api, phone):
    result = await password_login(api, phone, PASSWORD)

    refused(result, "INVALID_PHONE")
    assert result["errors"][0]["field"] == "phone"


async def test_five_failures_lock_the_account_even_for_the_right_password(api):
    await clear_of_window_edge(900)
    # given an account and another one
    phone, other = next_phone(), next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await make_user(phone=other, password=PASSWORD)

    # when someone guesses wrong five times
    for _ in range(5):
        refused(await password_login(api, phone, "Wrong-guess-1"), "INVALID_CREDENTIALS")

    # then the account is locked, the right password included, but only that account
    refused(await password_login(api, phone, PASSWORD), "ACCOUNT_LOCKED")
    refused(await password_login(api, phone, "Wrong-guess-1"), "ACCOUNT_LOCKED")
    assert (await password_login(api, other, PASSWORD))["errors"] == []


async def test_the_lock_counts_every_spelling_of_the_number(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    for spelling in (phone, "+86" + phone, "86" + phone, "0086" + phone, f"{phone[:3]} {phone[3:]}"):
        refused(await password_login(api, spelling, "Wrong-guess-1"), "INVALID_CREDENTIALS")

    refused(await password_login(api, phone, PASSWORD), "ACCOUNT_LOCKED")


async def test_a_good_sign_in_clears_earlier_failures(api):
    await clear_of_window_edge(900)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)

    for _ in range(4):
        refused(await password_login(api, phone, "Wrong-guess-1"), "INVALID_CREDENTIALS")
    assert (await password_login(api, phone, PASSWORD))["errors"] == []
    for _ in range(4):
        refused(await password_login(api, phone, "Wrong-guess-1"), "INVALID_CREDENTIALS")

    assert (await password_login(api, phone, PASSWORD))["errors"] == []


async def test_disabled_account_cannot_sign_in_with_a_password(api):
    phone = next_phone()
    user = await make_user(phone=phone, password=PASSWORD)
    user.is_active = False
    await user.save()

    refused(await password_login(api, phone, PASSWORD), "ACCOUNT_DISABLED")


# --- SMS sign-in ------------------------------------------------------------------------------------------

async def test_sms_code_signs_an_existing_account_in(api, sms):
    # given an account and a code sent to its phone
    phone = next_phone()
    user = await make_user("Bo", phone=phone)
    await send_code(api, phone)
    assert [to for to, _ in sms.sent] == [phone]

    # when they sign in with the code
    result = await sms_login(api, phone, sms.last_code(phone))

    # then it is their account
    assert result["errors"] == []
    assert result["user"]["id"] == encode_id("User", user.id)
    data = await api.gql(VIEWER, token=result["tokens"]["accessToken"])
    assert data["viewer"]["user"]["id"] == encode_id("User", user.id)


async def test_sms_code_for_a_new_phone_creates_an_account(api, sms):
    phone = next_phone()
    assert not await User.filter(phone_hash__isnull=False).exists()
    await send_code(api, "+86 " + phone)

    result = await sms_login(api, phone, sms.last_code(phone))

    assert result["errors"] == []
    created = await User.all()
    assert len(created) == 1
    assert result["user"]["id"] == encode_id("User", created[0].id)
    data = await api.gql(VIEWER, token=result["tokens"]["accessToken"])
    assert data["viewer"]["user"]["id"] == encode_id("User", created[0].id)


async def test_wrong_sms_code_is_code_invalid_and_the_right_one_still_works(api, sms):
    phone = next_phone()
    await send_code(api, phone)
    code = sms.last_code(phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    refused(await sms_login(api, phone, wrong), "CODE_INVALID")
    refused(await sms_login(api, phone, ""), "CODE_INVALID")

    assert (await sms_login(api, phone, code))["errors"] == []


async def test_five_wrong_codes_burn_the_code(api, sms):
    phone = next_phone()
    await send_code(api, phone)
    code = sms.last_code(phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for _ in range(5):
        refused(await sms_login(api, phone, wrong), "CODE_INVALID")

    refused(await sms_login(api, phone, code), "CODE_EXPIRED")


async def test_expired_sms_code_is_code_expired(api, sms):
    phone = next_phone()
    await send_code(api, phone)
    await SmsCode.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))

    refused(await sms_login(api, phone, sms.last_code(phone)), "CODE_EXPIRED")


async def test_sms_code_works_once(api, sms):
    phone = next_phone()
    await send_code(api, phone)
    code = sms.last_code(phone)
    assert (await sms_login(api, phone, code))["errors"] == []

    refused(await sms_login(api, phone, code), "CODE_EXPIRED")


async def test_sms_login_without_a_code_sent_is_code_expired(api):
    refused(await sms_login(api, next_phone(), "123456"), "CODE_EXPIRED")


@pytest.mark.parametrize("purpose", ["RESET", "BIND"])
async def test_a_code_for_another_purpose_does_not_sign_in(api, sms, purpose):
    phone = next_phone()
    await make_user(phone=phone)
    await send_code(api, phone, purpose)

    refused(await sms_login(api, phone, sms.last_code(phone)), "CODE_EXPIRED")


async def test_sms_login_with_a_malformed_phone_is_invalid_phone(api):
    refused(await sms_login(api, "12345", "123456"), "INVALID_PHONE")


async def test_disabled_account_cannot_sign_in_with_sms(api, sms):
    phone = next_phone()
    user = await make_user(phone=phone)
    user.is_active = False
    await user.save()
    await send_code(api, phone)

    refused(await sms_login(api, phone, sms.last_code(phone)), "ACCOUNT_DISABLED")


# --- password reset ---------------------------------------------------------------------------------------

async def reset(api, phone: str, code: str, new_password: str) -> dict:
    variables = {"phone": phone, "code": code, "newPassword": new_password}
    return (await api.gql(PASSWORD_RESET, variables))["authPasswordReset"]


async def test_password_reset_swaps_the_password_and_ends_every_session(api, sms):
    # given an account signed in on two devices
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    first = (await password_login(api, phone, PASSWORD))["tokens"]
    second = (await password_login(api, phone, PASSWORD))["tokens"]

    # when they reset the password with a RESET code
    await send_code(api, phone, "RESET")
    result = await reset(api, phone, sms.last_code(phone), "N3w-password!")

    # then the old password stops working and the new one works
    assert result == {"ok": True, "errors": []}
    refused(await password_login(api, phone, PASSWORD), "INVALID_CREDENTIALS")
    fresh = await password_login(api, phone, "N3w-password!")
    assert fresh["errors"] == []
    # and the sessions opened before are over, refresh tokens included
    for tokens in (first, second):
        assert await viewer_error(api, tokens["accessToken"]) == "TOKEN_REVOKED"
        refreshed = (await api.gql(REFRESH, {"refreshToken": tokens["refreshToken"]}))["authRefresh"]
        assert refreshed["tokens"] is None
        assert codes(refreshed) in (["TOKEN_EXPIRED"], ["TOKEN_REVOKED"])
    assert await viewer_error(api, fresh["tokens"]["accessToken"]) is None


@pytest.mark.parametrize("weak", ["Sh0rt!", "onlyletterslong", "12345678901", "x" * 200])
async def test_weak_new_password_is_refused_and_keeps_the_code(api, sms, weak):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await send_code(api, phone, "RESET")
    code = sms.last_code(phone)

    result = await reset(api, phone, code, weak)

    assert result["ok"] is None
    assert codes(result) == ["WEAK_PASSWORD"]
    assert (await password_login(api, phone, PASSWORD))["errors"] == []
    # the code was not spent on the refused attempt
    assert await reset(api, phone, code, "N3w-password!") == {"ok": True, "errors": []}


async def test_password_reset_with_a_wrong_code_changes_nothing(api, sms):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await send_code(api, phone, "RESET")
    wrong = f"{(int(sms.last_code(phone)) + 1) % 10**6:06d}"

    result = await reset(api, phone, wrong, "N3w-password!")

    assert result["ok"] is None
    assert codes(result) == ["CODE_INVALID"]
    assert (await password_login(api, phone, PASSWORD))["errors"] == []


async def test_a_login_code_cannot_reset_a_password(api, sms):
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    await send_code(api, phone, "LOGIN")

    result = await reset(api, phone, sms.last_code(phone), "N3w-password!")

    assert codes(result) == ["CODE_EXPIRED"]
    assert (await password_login(api, phone, PASSWORD))["errors"] == []
