"""WeChat mini-program sign-in: bound openids sign in, new ones bind to a phone confirmed by SMS."""

from __future__ import annotations

import pytest

from backend.core.ids import encode_id
from backend.domains.accounts.models import User
from tests.conftest import WECHAT_OPENIDS
from tests.factories import make_user, next_phone

WECHAT_LOGIN = """
mutation($code: String!, $phone: String, $smsCode: String) {
  authWechatLogin(code: $code, phone: $phone, smsCode: $smsCode) {
    tokens { accessToken refreshToken }
    user { id }
    errors { field code }
  }
}"""

SMS_SEND = """
mutation($phone: String!, $purpose: SmsPurpose!) {
  authSmsSend(phone: $phone, purpose: $purpose) { ok errors { code } }
}"""

VIEWER = "{ viewer { user { id } } }"


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def refused(payload: dict, code: str) -> None:
    assert codes(payload) == [code], payload
    assert payload["tokens"] is None and payload["user"] is None


async def wechat_login(api, code: str, phone: str | None = None, sms_code: str | None = None) -> dict:
    variables = {"code": code, "phone": phone, "smsCode": sms_code}
    return (await api.gql(WECHAT_LOGIN, variables))["authWechatLogin"]


async def send_code(api, phone: str, purpose: str = "BIND") -> None:
    result = (await api.gql(SMS_SEND, {"phone": phone, "purpose": purpose}))["authSmsSend"]
    assert result == {"ok": True, "errors": []}


async def signed_in_as(api, payload: dict, user_id: int) -> None:
    """The payload signed `user_id` in, and its access token works."""
    assert payload["errors"] == [], payload
    assert payload["user"]["id"] == encode_id("User", user_id)
    data = await api.gql(VIEWER, token=payload["tokens"]["accessToken"])
    assert data["viewer"]["user"]["id"] == encode_id("User", user_id)


async def test_a_bound_openid_signs_in_with_the_code_alone(api):
    user = await make_user("Wei")
    user.wechat_openid = "openid-wei"
    await user.save()
    WECHAT_OPENIDS["js-wei"] = "openid-wei"

    await signed_in_as(api, await wechat_login(api, "js-wei"), user.id)


@pytest.mark.parametrize("phone, sms_code", [(None, None), ("13900000001", None), (None, "123456")])
async def test_an_unbound_openid_without_phone_and_code_is_not_bound(api, phone, sms_code):
    WECHAT_OPENIDS["js-new"] = "openid-new"

    result = await wechat_login(api, "js-new", phone, sms_code)

    refused(result, "WECHAT_NOT_BOUND")
    assert result["errors"][0]["field"] == "phone"


async def test_binding_an_existing_account_then_signing_in_with_the_code_alone(api, sms):
    # given an account and a WeChat user not yet tied to anyone
    phone = next_phone()
    user = await make_user("Li", phone=phone)
    WECHAT_OPENIDS["js-li"] = "openid-li"
    refused(await wechat_login(api, "js-li"), "WECHAT_NOT_BOUND")

    # when they confirm their phone with a BIND code
    await send_code(api, phone)
    result = await wechat_login(api, "js-li", phone, sms.last_code(phone))

    # then they are signed in to their existing account
    await signed_in_as(api, result, user.id)
    # and the next time (a new login code for the same openid) the code alone works
    WECHAT_OPENIDS["js-li-2"] = "openid-li"
    await signed_in_as(api, await wechat_login(api, "js-li-2"), user.id)
    assert await User.all().count() == 1


async def test_binding_a_new_phone_creates_the_account(api, sms):
    phone = next_phone()
    WECHAT_OPENIDS["js-zh"] = "openid-zh"
    await send_code(api, phone)

    result = await wechat_login(api, "js-zh", "+86 " + phone, sms.last_code(phone))

    users = await User.all()
    assert len(users) == 1
    await signed_in_as(api, result, users[0].id)
    await signed_in_as(api, await wechat_login(api, "js-zh"), users[0].id)


async def test_a_wrong_sms_code_binds_nothing(api, sms):
    phone = next_phone()
    await make_user(phone=phone)
    WECHAT_OPENIDS["js-x"] = "openid-x"
    await send_code(api, phone)
    wrong = f"{(int(sms.last_code(phone)) + 1) % 10**6:06d}"

    refused(await wechat_login(api, "js-x", phone, wrong), "CODE_INVALID")

    refused(await wechat_login(api, "js-x"), "WECHAT_NOT_BOUND")


@pytest.mark.parametrize("purpose", ["LOGIN", "RESET"])
async def test_only_a_bind_code_binds(api, sms, purpose):
    phone = next_phone()
    await make_user(phone=phone)
    WECHAT_OPENIDS["js-p"] = "openid-p"
    await send_code(api, phone, purpose)

    refused(await wechat_login(api, "js-p", phone, sms.last_code(phone)), "CODE_EXPIRED")
    refused(await wechat_login(api, "js-p"), "WECHAT_NOT_BOUND")


async def test_a_phone_tied_to_another_wechat_account_is_not_rebound(api, sms):
    # given an account already tied to one WeChat user
    phone = next_phone()
    owner = await make_user(phone=phone)
    owner.wechat_openid = "openid-first"
    await owner.save()
    WECHAT_OPENIDS["js-second"] = "openid-second"
    WECHAT_OPENIDS["js-first"] = "openid-first"

    # when another WeChat user confirms the same phone
    await send_code(api, phone)
    result = await wechat_login(api, "js-second", phone, sms.last_code(phone))

    # then it is refused and the first tie stays
    refused(result, "DUPLICATE")
    refused(await wechat_login(api, "js-second"), "WECHAT_NOT_BOUND")
    await signed_in_as(api, await wechat_login(api, "js-first"), owner.id)


async def test_a_disabled_account_cannot_sign_in_with_wechat(api):
    user = await make_user("Off")
    user.wechat_openid = "openid-off"
    user.is_active = False
    await user.save()
    WECHAT_OPENIDS["js-off"] = "openid-off"

    refused(await wechat_login(api, "js-off"), "ACCOUNT_DISABLED")


async def test_an_invalid_login_code_is_wechat_code_invalid(api):
    result = await wechat_login(api, "js-unknown-to-wechat")

    refused(result, "WECHAT_CODE_INVALID")
    assert result["errors"][0]["field"] == "code"


@pytest.mark.parametrize("code", ["", "x" * 129])
async def test_a_missing_or_overlong_login_code_is_invalid(api, code):
    refused(await wechat_login(api, code), "INVALID")


async def test_wechat_down_is_wechat_unavailable(api):
    refused(await wechat_login(api, "wechat-down"), "WECHAT_UNAVAILABLE")
