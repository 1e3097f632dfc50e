"""Access and refresh tokens: rotation and reuse, logout, revocation on the next request, bad tokens, switching company."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from backend.core.ids import encode_id
from backend.domains.accounts.models import Role, StaffMember
from backend.settings import get_settings
from tests.factories import (
    make_community,
    make_company,
    make_staff,
    make_user,
    make_world,
    next_phone,
    token_for,
)

PASSWORD = "Corr3ct-horse"

PASSWORD_LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) {
    tokens { accessToken refreshToken expiresIn }
    errors { code }
  }
}"""

REFRESH = """
mutation($refreshToken: String!) {
  authRefresh(refreshToken: $refreshToken) {
    tokens { accessToken refreshToken expiresIn }
    user { id }
    errors { field code }
  }
}"""

LOGOUT = "mutation { authLogout { ok errors { code } } }"

SWITCH = """
mutation($companyId: ID!) {
  authSwitchCompany(companyId: $companyId) {
    tokens { accessToken }
    errors { field code }
  }
}"""

STAFF_UPDATE = """
mutation($id: ID!, $input: StaffUpdateInput!) {
  staffUpdate(id: $id, input: $input) { staffMember { isActive } errors { code } }
}"""

STAFF_CREATE = """
mutation($input: StaffCreateInput!) {
  staffCreate(input: $input) { staffMember { id } invitation { id } errors { code } }
}"""

ACCEPT_INVITATION = "mutation($id: ID!) { staffInvitationAccept(id: $id) { errors { code } } }"

VIEWER = "{ viewer { user { id } company { id } memberships { company { id } isCurrent } permissions } }"
UNITS = "{ units(first: 5) { totalCount } }"


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def error_code(body: dict) -> str | None:
    """The code of the first top-level error of a response body, or None when there is none."""
    errors = body.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


async def login(api, user_phone: str) -> dict:
    result = (await api.gql(PASSWORD_LOGIN, {"phone": user_phone, "password": PASSWORD}))["authPasswordLogin"]
    assert result["errors"] == []
    return result["tokens"]


async def refresh(api, refresh_token: str) -> dict:
    return (await api.gql(REFRESH, {"refreshToken": refresh_token}))["authRefresh"]


async def viewer_code(api, token: str) -> str | None:
    return error_code(await api.raw(VIEWER, token=token))


async def signed_in_user(api) -> tuple[object, dict]:
    phone = next_phone()
    user = await make_user("Tess", phone=phone, password=PASSWORD)
    return user, await login(api, phone)


# --- refresh rotation and reuse ---------------------------------------------------------------------------

async def test_refresh_rotates_both_tokens(api):
    user, first = await signed_in_user(api)

    second = await refresh(api, first["refreshToken"])

    assert second["errors"] == []
    assert second["user"]["id"] == encode_id("User", user.id)
    new = second["tokens"]
    assert new["refreshToken"] != first["refreshToken"]
    assert new["accessToken"] != first["accessToken"]
    assert new["expiresIn"] > 0
    assert (await api.gql(VIEWER, token=new["accessToken"]))["viewer"]["user"]["id"] == encode_id("User", user.id)
    # and the new refresh token rotates in turn
    assert (await refresh(api, new["refreshToken"]))["errors"] == []


async def test_reusing_a_refresh_token_revokes_the_whole_family(api):
    # given a session refreshed twice, and another session of the same person
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    first = await login(api, phone)
    other = await login(api, phone)
    second = (await refresh(api, first["refreshToken"]))["tokens"]
    third = (await refresh(api, second["refreshToken"]))["tokens"]

    # when the first refresh token is presented again (stolen and replayed, say)
    replay = await refresh(api, first["refreshToken"])

    # then it is refused as reused, with no tokens
    assert codes(replay) == ["TOKEN_REUSED"]
    assert replay["tokens"] is None and replay["user"] is None
    # and every token of that family stops working, the newest included
    for access in (first["accessToken"], second["accessToken"], third["accessToken"]):
        assert await viewer_code(api, access) == "TOKEN_REVOKED"
    newest = await refresh(api, third["refreshToken"])
    assert newest["tokens"] is None
    assert codes(newest) in (["TOKEN_EXPIRED"], ["TOKEN_REVOKED"])
    # while the other session carries on
    assert await viewer_code(api, other["accessToken"]) is None
    assert (await refresh(api, other["refreshToken"]))["errors"] == []


@pytest.mark.parametrize("bad", ["", "garbage", "rt.0123456789abcdef0123456789abcdef.nope", "x" * 5000])
async def test_unknown_refresh_token_is_token_invalid(api, bad):
    result = await refresh(api, bad)

    assert codes(result) == ["TOKEN_INVALID"]
    assert result["tokens"] is None


async def test_an_access_token_is_not_a_refresh_token(api):
    _, tokens = await signed_in_user(api)

    result = await refresh(api, tokens["accessToken"])

    assert codes(result) == ["TOKEN_INVALID"]


# --- logout -----------------------------------------------------------------------------------------------

async def test_logout_ends_the_session_at_once(api):
    # given two sessions of one person
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    mine, elsewhere = await login(api, phone), await login(api, phone)
    assert await viewer_code(api, mine["accessToken"]) is None

    # when they log out of one
    result = (await api.gql(LOGOUT, token=mine["accessToken"]))["authLogout"]

    # then its access token is refused on the very next request, and its refresh token too
    assert result == {"ok": True, "errors": []}
    assert await viewer_code(api, mine["accessToken"]) == "TOKEN_REVOKED"
    assert error_code(await api.raw(UNITS, token=mine["accessToken"])) == "TOKEN_REVOKED"
    assert (await refresh(api, mine["refreshToken"]))["tokens"] is None
    # and the other session is untouched
    assert await viewer_code(api, elsewhere["accessToken"]) is None


async def test_logout_without_a_token_is_unauthenticated(api):
    result = (await api.gql(LOGOUT))["authLogout"]

    assert result["ok"] is None
    assert codes(result) == ["UNAUTHENTICATED"]


# --- changes apply on the next request --------------------------------------------------------------------

async def staff_member_id(company_id: int, user_id: int) -> str:
    staff = await StaffMember.get(company_id=company_id, user_id=user_id)
    return encode_id("StaffMember", staff.id)


async def role_id(code: str) -> str:
    return encode_id("Role", (await Role.get(code=code)).id)


async def test_losing_a_role_applies_on_the_next_request(api):
    # given a technician who can list units, and their company's admin
    w = await make_world("R")
    tech = await make_staff(w.company, "technician", name="Tech")
    token = await token_for(tech)
    assert (await api.gql(UNITS, token=token))["units"]["totalCount"] == 1

    # when the admin makes them a guard instead
    admin_token = await token_for(w.admin)
    result = await api.gql(STAFF_UPDATE, {
        "id": await staff_member_id(w.company.id, tech.id),
        "input": {"grants": [{"roleId": await role_id("guard")}]},
    }, token=admin_token)
    assert result["staffUpdate"]["errors"] == []

    # then the same token lists no units any more, and the viewer shows the guard's permissions
    assert error_code(await api.raw(UNITS, token=token)) == "FORBIDDEN"
    viewer = (await api.gql(VIEWER, token=token))["viewer"]
    assert sorted(viewer["permissions"]) == ["COMMUNITY_READ", "GATE_ACCESS"]


async def test_gaining_a_role_applies_on_the_next_request(api):
    w = await make_world("G")
    guard = await make_staff(w.company, "guard", community=w.community, name="Guard")
    token = await token_for(guard)
    assert error_code(await api.raw(UNITS, token=token)) == "FORBIDDEN"

    result = await api.gql(STAFF_UPDATE, {
        "id": await staff_member_id(w.company.id, guard.id),
        "input": {"grants": [{"roleId": await role_id("technician"), "communityId": encode_id("Community", w.community.id)}]},
    }, token=await token_for(w.admin))
    assert result["staffUpdate"]["errors"] == []

    assert (await api.gql(UNITS, token=token))["units"]["totalCount"] == 1


async def test_a_disabled_staff_member_loses_access_on_the_next_request(api):
    w = await make_world("D")
    tech = await make_staff(w.company, "technician", name="Tech")
    token = await token_for(tech)
    assert (await api.gql(UNITS, token=token))["units"]["totalCount"] == 1

    result = await api.gql(STAFF_UPDATE, {
        "id": await staff_member_id(w.company.id, tech.id), "input": {"isActive": False},
    }, token=await token_for(w.admin))
    assert result["staffUpdate"] == {"staffMember": {"isActive": False}, "errors": []}

    assert error_code(await api.raw(UNITS, token=token)) == "FORBIDDEN"
    viewer = (await api.gql(VIEWER, token=token))["viewer"]
    assert viewer["company"] is None and viewer["permissions"] == [] and viewer["memberships"] == []


async def test_a_disabled_account_is_refused_on_the_next_request(api):
    # given a signed-in person
    user, tokens = await signed_in_user(api)
    assert await viewer_code(api, tokens["accessToken"]) is None

    # when their account is disabled
    user.is_active = False
    await user.save()

    # then their access token and refresh token stop working
    assert await viewer_code(api, tokens["accessToken"]) == "ACCOUNT_DISABLED"
    result = await refresh(api, tokens["refreshToken"])
    assert codes(result) == ["ACCOUNT_DISABLED"]
    assert result["tokens"] is None
    # and enabling the account again does not revive the refresh token that was refused
    user.is_active = True
    await user.save()
    assert (await refresh(api, tokens["refreshToken"]))["tokens"] is None


# --- bad access tokens ------------------------------------------------------------------------------------

def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def sign(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or get_settings().secret_key, algorithm=algorithm)


def b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def unsigned(claims: dict) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


async def post(api, authorization: str, query: str = VIEWER):
    return await api.client.post("/graphql", json={"query": query}, headers={"authorization": authorization})


async def test_a_token_signed_with_the_server_key_works(api):
    """Control for the tests below: re-signing a token's own claims gives a token the server accepts."""
    user, tokens = await signed_in_user(api)

    resp = await post(api, "Bearer " + sign(claims_of(tokens["accessToken"])))

    assert resp.json()["data"]["viewer"]["user"]["id"] == encode_id("User", user.id)


async def test_an_expired_token_is_token_expired(api):
    _, tokens = await signed_in_user(api)
    now = int(time.time())
    expired = sign({**claims_of(tokens["accessToken"]), "iat": now - 1000, "exp": now - 100})

    body = await api.raw(VIEWER, token=expired)

    assert error_code(body) == "TOKEN_EXPIRED"
    assert body["data"] == {"viewer": None}


def forge(claims: dict, case: str) -> str:
    s = get_settings()
    cases = {
        "forged signature": lambda: sign(claims, key="not-the-server-key-" * 3),
        "alg none": lambda: unsigned(claims),
        "alg none, signed part kept": lambda: unsigned(claims)[:-1] + "." + sign(claims).split(".")[2],
        "HS512 with the right key": lambda: sign(claims, algorithm="HS512"),
        "typ refresh": lambda: sign({**claims, "typ": "refresh"}),
        "no typ": lambda: sign({k: v for k, v in claims.items() if k != "typ"}),
        "wrong audience": lambda: sign({**claims, "aud": "someone-else"}),
        "wrong issuer": lambda: sign({**claims, "iss": "evil"}),
        "no sid": lambda: sign({k: v for k, v in claims.items() if k != "sid"}),
        "sub not a number": lambda: sign({**claims, "sub": "1 OR 1=1"}),
        "cid not a number": lambda: sign({**claims, "cid": "1"}),
        "cid of another company": lambda: sign({**claims, "cid": 999999}),
        "garbage": lambda: "garbage",
        "three garbage parts": lambda: "a.b.c",
        "too long": lambda: sign({**claims, "pad": "x" * 5000}),
        "audience list": lambda: sign({**claims, "aud": [s.jwt_audience + "x"]}),
    }
    return cases[case]()


FORGERIES = [
    "forged signature", "alg none", "alg none, signed part kept", "HS512 with the right key", "typ refresh", "no typ",
    "wrong audience", "wrong issuer", "no sid", "sub not a number", "cid not a number", "cid of another company",
    "garbage", "three garbage parts", "too long", "audience list",
]


@pytest.mark.parametrize("case", FORGERIES)
async def test_a_bad_token_is_token_invalid_not_a_crash(api, case):
    # given a real session, and a token derived from its token
    _, tokens = await signed_in_user(api)
    token = forge(claims_of(tokens["accessToken"]), case)

    # when it is used, on a query and on a mutation
    for query in (VIEWER, UNITS):
        resp = await post(api, "Bearer " + token, query)

        # then it is refused as TOKEN_INVALID, as a coded GraphQL error, without a stack trace
        assert resp.status_code == 200, resp.text
        assert "Traceback" not in resp.text
        assert error_code(resp.json()) == "TOKEN_INVALID", resp.text
    resp = await post(api, "Bearer " + token, LOGOUT)
    assert resp.json()["data"]["authLogout"] == {"ok": None, "errors": [{"code": "TOKEN_INVALID"}]}


@pytest.mark.parametrize("header", ["Basic {t}", "Token {t}", "{t}", "Bearer", "Bearer ", "Bearer\t{t}", "bearer{t}"])
async def test_anything_but_a_bearer_scheme_is_token_invalid(api, header):
    _, tokens = await signed_in_user(api)

    resp = await post(api, header.format(t=tokens["accessToken"]))

    assert resp.status_code == 200, resp.text
    assert "Traceback" not in resp.text
    assert error_code(resp.json()) == "TOKEN_INVALID", resp.text


async def test_the_bearer_scheme_is_case_insensitive(api):
    user, tokens = await signed_in_user(api)

    resp = await post(api, "bearer " + tokens["accessToken"])

    assert resp.json()["data"]["viewer"]["user"]["id"] == encode_id("User", user.id)


async def test_a_token_of_an_unknown_session_is_token_revoked(api):
    _, tokens = await signed_in_user(api)
    token = sign({**claims_of(tokens["accessToken"]), "sid": "0" * 32})

    assert await viewer_code(api, token) == "TOKEN_REVOKED"


async def test_a_token_naming_another_user_of_the_session_is_refused(api):
    # the session id alone must not sign anyone in: it belongs to one user
    victim = await make_user("Victim")
    _, tokens = await signed_in_user(api)
    token = sign({**claims_of(tokens["accessToken"]), "sub": str(victim.id)})

    assert await viewer_code(api, token) == "TOKEN_REVOKED"


# --- switching company ------------------------------------------------------------------------------------

async def two_company_staff(api):
    """A person on the staff of two companies (invited by each company's admin, accepted), and a third company."""
    a, b, c = await make_company("A"), await make_company("B"), await make_company("C")
    phone = next_phone()
    person = await make_user("Two jobs", phone=phone, password=PASSWORD)
    for company in (a, b):
        community = await make_community(company)
        admin = await make_staff(company, "company_admin")
        result = await api.gql(STAFF_CREATE, {"input": {
            "phone": phone, "name": "Two jobs",
            "grants": [{"roleId": await role_id("technician"), "communityId": encode_id("Community", community.id)}],
        }}, token=await token_for(admin))
        assert result["staffCreate"]["errors"] == []
        accepted = await api.gql(ACCEPT_INVITATION, {"id": result["staffCreate"]["invitation"]["id"]},
                                 token=await token_for(person))
        assert accepted["staffInvitationAccept"]["errors"] == []
    return person, phone, a, b, c


async def switch(api, token: str, company_id: str) -> dict:
    return (await api.gql(SWITCH, {"companyId": company_id}, token=token))["authSwitchCompany"]


async def test_switching_company_changes_the_viewer_company(api):
    # given someone signed in to the first of their two companies
    _, phone, a, b, _ = await two_company_staff(api)
    tokens = await login(api, phone)
    viewer = (await api.gql(VIEWER, token=tokens["accessToken"]))["viewer"]
    assert viewer["company"]["id"] == encode_id("Company", a.id)
    assert {m["company"]["id"]: m["isCurrent"] for m in viewer["memberships"]} == {
        encode_id("Company", a.id): True, encode_id("Company", b.id): False}

    # when they switch to the second
    result = await switch(api, tokens["accessToken"], encode_id("Company", b.id))

    # then the new access token is for the second company
    assert result["errors"] == []
    viewer = (await api.gql(VIEWER, token=result["tokens"]["accessToken"]))["viewer"]
    assert viewer["company"]["id"] == encode_id("Company", b.id)
    assert {m["company"]["id"]: m["isCurrent"] for m in viewer["memberships"]} == {
        encode_id("Company", a.id): False, encode_id("Company", b.id): True}
    # and a refresh keeps the session on the second company
    refreshed = (await refresh(api, tokens["refreshToken"]))["tokens"]
    viewer = (await api.gql(VIEWER, token=refreshed["accessToken"]))["viewer"]
    assert viewer["company"]["id"] == encode_id("Company", b.id)


async def test_switching_to_a_company_they_do_not_work_for_is_forbidden(api):
    _, phone, a, _, c = await two_company_staff(api)
    tokens = await login(api, phone)

    result = await switch(api, tokens["accessToken"], encode_id("Company", c.id))

    assert codes(result) == ["FORBIDDEN"]
    assert result["tokens"] is None
    viewer = (await api.gql(VIEWER, token=tokens["accessToken"]))["viewer"]
    assert viewer["company"]["id"] == encode_id("Company", a.id)


async def test_switching_to_a_company_that_disabled_them_is_forbidden(api):
    person, phone, a, b, _ = await two_company_staff(api)
    await StaffMember.filter(company_id=b.id, user_id=person.id).update(is_active=False)
    tokens = await login(api, phone)

    result = await switch(api, tokens["accessToken"], encode_id("Company", b.id))

    assert codes(result) == ["FORBIDDEN"]


async def test_a_resident_cannot_switch_into_a_company(api):
    w = await make_world("S")

    result = await switch(api, await token_for(w.owner), encode_id("Company", w.company.id))

    assert codes(result) == ["FORBIDDEN"]


@pytest.mark.parametrize("company_id", ["nonsense", "VW5pdDox"])
async def test_switching_with_a_bad_company_id_is_invalid_id(api, company_id):
    _, phone, _, _, _ = await two_company_staff(api)
    tokens = await login(api, phone)

    result = await switch(api, tokens["accessToken"], company_id)

    assert codes(result) == ["INVALID_ID"]


async def test_switching_without_a_token_is_unauthenticated(api):
    company = await make_company("X")

    result = await switch(api, "", encode_id("Company", company.id))

    assert codes(result) == ["UNAUTHENTICATED"]


async def test_many_callers_checked_together_get_what_each_would_alone(api):
    from backend.domains.auth.service import authenticate, authenticate_many
    from tests.support.sqlcount import count_statements

    # given staff of two companies, an owner, a logged-out session and broken credentials
    a, b = await make_world("A"), await make_world("B")
    tech = await make_staff(a.company, "technician", a.community)
    phone = next_phone()
    await make_user(phone=phone, password=PASSWORD)
    gone = await login(api, phone)
    await api.gql(LOGOUT, token=gone["accessToken"])
    bearer = [f"Bearer {await token_for(u)}" for u in (a.admin, b.admin, tech, a.owner)]
    callers = [*bearer, f"Bearer {gone['accessToken']}", "Bearer not-a-token", "Basic abc", None, bearer[0]]
    # when they are checked together
    with count_statements() as counter:
        together = await authenticate_many(callers)
    # then each gets exactly what a check of their own gives, in as many statements as one caller alone costs
    with count_statements() as single:
        await authenticate_many([bearer[0]])
    alone = [await authenticate(c) for c in callers]
    assert together == alone
    assert [code for _, code in together] == [None] * 4 + ["TOKEN_REVOKED", "TOKEN_INVALID", "TOKEN_INVALID", None, None]
    assert together[0][0].company_id == a.company.id and together[1][0].company_id == b.company.id
    assert together[2][0].grants != together[0][0].grants and together[3][0].staff_id is None
    assert counter.count == single.count
