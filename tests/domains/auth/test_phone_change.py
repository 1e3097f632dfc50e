"""A person moves their account to a new number proven by a code sent to it, and signs out of every device."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.accounts.service import find_user_by_phone
from tests.factories import make_user, next_phone, token_for

SEND = """mutation($phone: String!) { authSmsSend(phone: $phone, purpose: PHONE_CHANGE) { ok errors { field code } } }"""
CHANGE = """mutation($phone: String!, $code: String!) { authPhoneChange(phone: $phone, code: $code) {
  user { id phone } errors { field code } } }"""
SMS_LOGIN_SEND = """mutation($phone: String!) { authSmsSend(phone: $phone, purpose: LOGIN) { ok errors { code } } }"""
LOGOUT = "mutation($all: Boolean!) { authLogout(everywhere: $all) { ok errors { code } } }"
VIEWER = "{ viewer { user { id phone } } }"


async def _viewer_code(api, token: str) -> str | None:
    body = await api.raw(VIEWER, None, token)
    return body["errors"][0]["extensions"]["code"] if body.get("errors") else None


async def test_the_new_number_takes_over_once_its_code_is_given(api, sms):
    # Given a person signed in on two devices
    old = next_phone()
    me = await make_user("Mover", phone=old)
    here, there = await token_for(me), await token_for(me)
    new = next_phone()
    # When a code is sent to the new number and given back
    assert (await api.gql(SEND, {"phone": new}, token=here))["authSmsSend"] == {"ok": True, "errors": []}
    assert [to for to, _ in sms.sent] == [new]
    changed = (await api.gql(CHANGE, {"phone": new, "code": sms.last_code(new)}, token=here))["authPhoneChange"]
    # Then the account has the new number; this device stays signed in, the other one is signed out
    assert changed == {"user": {"id": encode_id("User", me.id), "phone": new}, "errors": []}
    assert await _viewer_code(api, here) is None
    assert await _viewer_code(api, there) is not None
    # and the new number finds the same account (SMS sign-in looks it up so), while the old number is a stranger now
    found = await find_user_by_phone(phone=new)
    assert found is not None and found.id == me.id
    assert await find_user_by_phone(phone=old) is None


async def test_a_wrong_code_a_taken_number_and_anonymous_callers_are_refused(api, sms):
    me = await token_for(await make_user("Careful"))
    taken = next_phone()
    await make_user("Owner of it", phone=taken)
    # anonymous: no code is sent at all
    anonymous = (await api.gql(SEND, {"phone": next_phone()}))["authSmsSend"]
    assert anonymous["errors"][0]["code"] == "UNAUTHENTICATED" and sms.sent == []
    # a wrong code
    new = next_phone()
    await api.gql(SEND, {"phone": new}, token=me)
    wrong = (await api.gql(CHANGE, {"phone": new, "code": "000000" if sms.last_code(new) != "000000" else "111111"},
                           token=me))["authPhoneChange"]
    assert wrong == {"user": None, "errors": [{"field": "code", "code": "CODE_INVALID"}]}
    # a code sent to one number does not move the account to another
    elsewhere = (await api.gql(CHANGE, {"phone": next_phone(), "code": sms.last_code(new)}, token=me))["authPhoneChange"]
    assert elsewhere["user"] is None and elsewhere["errors"][0]["field"] == "code"
    # a number with an account of its own: told only once its code is given, so only its holder learns it
    await api.gql(SEND, {"phone": taken}, token=me)
    refused = (await api.gql(CHANGE, {"phone": taken, "code": sms.last_code(taken)}, token=me))["authPhoneChange"]
    assert refused == {"user": None, "errors": [{"field": "phone", "code": "PHONE_TAKEN"}]}
    # a code from a login (another purpose) does not count
    other = next_phone()
    await api.gql(SMS_LOGIN_SEND, {"phone": other})
    login_code = (await api.gql(CHANGE, {"phone": other, "code": sms.last_code(other)}, token=me))["authPhoneChange"]
    assert login_code["user"] is None and login_code["errors"][0]["code"] in ("CODE_INVALID", "CODE_EXPIRED")


async def test_signing_out_everywhere_ends_every_session(api):
    person = await make_user("Everywhere")
    phone_token, laptop_token, stay = await token_for(person), await token_for(person), await token_for(
        await make_user("Bystander"))
    # signing out here only ends this session
    one = await token_for(person)
    assert (await api.gql(LOGOUT, {"all": False}, token=one))["authLogout"]["ok"] is True
    assert await _viewer_code(api, one) is not None and await _viewer_code(api, phone_token) is None
    # everywhere ends the others too, and nobody else's
    assert (await api.gql(LOGOUT, {"all": True}, token=phone_token))["authLogout"]["ok"] is True
    assert await _viewer_code(api, phone_token) is not None
    assert await _viewer_code(api, laptop_token) is not None
    assert await _viewer_code(api, stay) is None
