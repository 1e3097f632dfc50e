"""Bad input over HTTP: every malformed request gets a clear code, never a 500, a traceback or a file path."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from backend.core.ids import encode_id
from backend.domains.accounts.models import Role
from backend.domains.residents.models import BindingStatus, Relation
from tests.factories import World, bind, make_platform_admin, make_user, make_world, token_for

LEAK = re.compile(r"Traceback|File \"|[\w./\\-]+\.py\b")
NODE = "query($id: ID!) { node(id: $id) { __typename } }"
UNIT_UPDATE = (
    "mutation($id: ID!, $number: String!, $floor: Int!, $area: Decimal!) {"
    " unitUpdate(id: $id, input: {number: $number, floor: $floor, area: $area}) { unit { id } errors { code field } } }"
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def post(api: Any, query: str, variables: dict[str, Any] | None = None, token: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """POST a GraphQL request; the answer is never a 500 and never shows internals."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    resp = await api.client.post("/graphql", json={"query": query, "variables": variables or {}, **extra},
                                 headers=headers)
    assert resp.status_code in (200, 400), resp.text
    assert not LEAK.search(resp.text), resp.text[:2000]
    return resp.json()


def codes(body: dict[str, Any]) -> set[str]:
    """Top-level extensions.code values plus every payload's error codes."""
    found = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            found |= {e["code"] for e in value["errors"]}
    return found


@pytest.fixture
async def world(api: Any) -> World:
    return await make_world("A")


@pytest.fixture
async def admin(world: World) -> str:
    return await token_for(world.admin)


# ------------------------------------------------------------------------------------------- malformed IDs


@pytest.mark.parametrize("gid", [
    "not base64!!!",
    b64("garbage"),
    b64("Unit"),
    b64("Unit:"),
    b64(":1"),
    b64("Unit:-1"),
    b64("Unit:1.5"),
    b64("Unit: 1"),
    b64("Unit:\u0661"),  # an Arabic-Indic digit: not another spelling of pk 1
    b64("Unit:" + "9" * 19),  # past BIGINT
    b64("Unit:" + "9" * 400),
    b64("NoSuchType:1"),
    "A" * 10_000,
    "",
    b64("\xff\xfe"),
], ids=lambda g: g[:24] or "empty")
async def test_malformed_ids_are_invalid_id(api: Any, admin: str, gid: str) -> None:
    body = await post(api, NODE, {"id": gid}, admin)
    assert body["data"] == {"node": None}
    assert codes(body) == {"INVALID_ID"}, body


async def test_non_string_id_is_refused(api: Any, admin: str) -> None:
    assert codes(await post(api, NODE, {"id": 12}, admin)) == {"INVALID_ID"}
    assert codes(await post(api, NODE, {"id": ["x"]}, admin)) == {"BAD_USER_INPUT"}
    assert codes(await post(api, NODE, {"id": {"a": 1}}, admin)) == {"BAD_USER_INPUT"}


async def test_an_id_of_the_wrong_type_is_invalid_id(api: Any, world: World, admin: str) -> None:
    community = encode_id("Community", world.community.id)
    body = await post(api, UNIT_UPDATE, {"id": community, "number": "101", "floor": 1, "area": "88.00"}, admin)
    assert body["data"]["unitUpdate"] == {"unit": None, "errors": [{"code": "INVALID_ID", "field": "id"}]}
    body = await post(api, "query($b: ID) { units(filter: {buildingId: $b}) { totalCount } }", {"b": community}, admin)
    assert codes(body) == {"INVALID_ID"} and body["data"] is None


async def test_too_many_ids_at_once(api: Any, world: World, admin: str) -> None:
    ids = [encode_id("Unit", world.unit.id)] * 101
    body = await post(api, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", {"ids": ids}, admin)
    assert codes(body) == {"TOO_LONG"}


# -------------------------------------------------------------------------------------- wrong value types


@pytest.mark.parametrize(("query", "variables", "code"), [
    ('{ units(first: "ten") { totalCount } }', {}, "GRAPHQL_VALIDATION_FAILED"),
    ("query($f: Int) { units(first: $f) { totalCount } }", {"f": "ten"}, "BAD_USER_INPUT"),
    ("query($f: Int) { units(first: $f) { totalCount } }", {"f": 1.5}, "BAD_USER_INPUT"),
    ("{ units(first: 99999999999) { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ("query($f: UnitFilter) { units(filter: $f) { totalCount } }", {"f": {"floor": "x"}}, "BAD_USER_INPUT"),
    ("query($f: UnitFilter) { units(filter: $f) { totalCount } }", {"f": {"nope": 1}}, "BAD_USER_INPUT"),
    ("query($d: DateTime) { auditLogs(filter: {since: $d}) { totalCount } }", {"d": "yesterday"}, "BAD_USER_INPUT"),
    ('mutation { authSmsSend(phone: "13900000001", purpose: WRONG) { ok } }', {}, "GRAPHQL_VALIDATION_FAILED"),
    ('mutation { authSmsSend(phone: "13900000001") { ok } }', {}, "GRAPHQL_VALIDATION_FAILED"),
    ("mutation($p: SmsPurpose!) { authSmsSend(phone: \"13900000001\", purpose: $p) { ok } }", {"p": "login"},
     "BAD_USER_INPUT"),
], ids=["string-literal-for-int", "string-var-for-int", "float-for-int", "int-overflow", "string-in-input",
        "unknown-input-field", "bad-datetime", "unknown-enum", "missing-argument", "enum-value-casing"])
async def test_wrong_argument_types(api: Any, admin: str, query: str, variables: dict[str, Any], code: str) -> None:
    body = await post(api, query, variables, admin)
    assert body.get("data") is None
    assert codes(body) == {code}, body


@pytest.mark.parametrize(("area", "floor"), [
    ("NaN", 1), ("Infinity", 1), ("-5", 1), ("1e30", 1), ("0.001", 1), ("88.00", 1000), ("88.00", -11),
])
async def test_out_of_range_unit_values(api: Any, world: World, admin: str, area: str, floor: int) -> None:
    unit = encode_id("Unit", world.unit.id)
    body = await post(api, UNIT_UPDATE, {"id": unit, "number": "101", "floor": floor, "area": area}, admin)
    assert body["data"]["unitUpdate"]["unit"] is None
    assert codes(body) == {"INVALID"}, body


async def test_decimal_that_is_not_a_number(api: Any, world: World, admin: str) -> None:
    unit = encode_id("Unit", world.unit.id)
    body = await post(api, UNIT_UPDATE, {"id": unit, "number": "101", "floor": 1, "area": "abc"}, admin)
    assert codes(body) == {"BAD_USER_INPUT"}


# ------------------------------------------------------------------------------------- oversize strings


LONG = "x" * 10_000


@pytest.mark.parametrize(("query", "variables", "field"), [
    ("mutation($s: String!) { communityCreate(input: {name: $s}) { community { id } errors { code field } } }",
     {"s": LONG}, "name"),
    ('mutation($s: String!) { communityCreate(input: {name: "ok", address: $s}) { community { id } errors { code field } } }',
     {"s": LONG}, "address"),
    ("mutation($s: String!, $c: ID!) { buildingCreate(communityId: $c, input: {name: $s}) { building { id } errors { code field } } }",
     {"s": LONG}, "name"),
    ('mutation($s: String!) { staffCreate(input: {phone: "13900000002", name: $s, grants: []}) { staffMember { id } errors { code field } } }',
     {"s": LONG}, "name"),
    ("mutation($s: String!, $id: ID!) { unitUpdate(id: $id, input: {number: $s, floor: 1, area: \"1.00\"}) { unit { id } errors { code field } } }",
     {"s": LONG}, "number"),
])
async def test_oversize_strings_are_too_long(api: Any, world: World, admin: str, query: str,
                                             variables: dict[str, Any], field: str) -> None:
    variables = {**variables, "c": encode_id("Community", world.community.id), "id": encode_id("Unit", world.unit.id)}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    body = await post(api, query, used, admin)
    payload = next(iter(body["data"].values()))
    assert payload["errors"] == [{"code": "TOO_LONG", "field": field}], body
    assert all(v is None for k, v in payload.items() if k != "errors")


@pytest.mark.parametrize("query", [
    "query($s: String!) { communities(search: $s) { totalCount } }",
    "query($s: String!) { staffMembers(search: $s) { totalCount } }",
    "query($s: String!) { owners(filter: {search: $s}) { totalCount } }",
    "query($s: String!) { auditLogs(filter: {action: $s}) { totalCount } }",
])
async def test_oversize_search_is_too_long(api: Any, admin: str, query: str) -> None:
    body = await post(api, query, {"s": LONG}, admin)
    assert codes(body) == {"TOO_LONG"} and body["data"] is None


async def test_oversize_password_is_refused_without_hashing_it(api: Any) -> None:
    user = await make_user("P", "13900000003", password="Courtyard-2024")
    assert user.password_hash
    body = await post(api, 'mutation($p: String!) { authPasswordLogin(phone: "13900000003", password: $p) '
                           "{ tokens { accessToken } errors { code } } }", {"p": LONG})
    assert body["data"]["authPasswordLogin"]["tokens"] is None
    assert codes(body) == {"INVALID_CREDENTIALS"}


# -------------------------------------------------------------------------------------------- bad phones


BAD_PHONES = ["12345", "abc", "", "+1 202 555 0100", "1390000000", "139000000001", "23900000000", "９" * 11, LONG]


@pytest.mark.parametrize("phone", BAD_PHONES, ids=lambda p: p[:12] or "empty")
async def test_bad_phone_numbers(api: Any, world: World, admin: str, phone: str) -> None:
    body = await post(api, "mutation($p: String!) { authSmsSend(phone: $p, purpose: LOGIN) { ok errors { code field } } }",
                      {"p": phone})
    assert body["data"]["authSmsSend"] == {"ok": None, "errors": [{"code": "INVALID_PHONE", "field": "phone"}]}
    role = encode_id("Role", (await Role.get(code="technician")).id)
    body = await post(api, "mutation($p: String!, $r: ID!) { staffCreate(input: {phone: $p, name: \"N\","
                           " grants: [{roleId: $r}]}) { staffMember { id } errors { code } } }",
                      {"p": phone, "r": role}, admin)
    assert codes(body) == {"INVALID_PHONE"}, body
    if phone:  # an empty phone filter means no filter
        body = await post(api, "query($p: String!) { owners(filter: {phone: $p}) { totalCount } }", {"p": phone}, admin)
        assert codes(body) == {"INVALID_PHONE"}, body


async def test_household_member_with_a_bad_phone(api: Any, world: World) -> None:
    token = await token_for(world.owner)
    body = await post(api, "mutation($u: ID!) { householdMemberAdd(unitId: $u, phone: \"12\", name: \"Kid\", "
                           "relation: FAMILY) { binding { id } errors { code field } } }",
                      {"u": encode_id("Unit", world.unit.id)}, token)
    assert body["data"]["householdMemberAdd"] == {"binding": None, "errors": [{"code": "INVALID_PHONE", "field": "phone"}]}


# --------------------------------------------------------------------------------------------- paging


CONNECTIONS = ["communities", "buildings", "units", "staffMembers", "bindings", "owners", "auditLogs"]


@pytest.mark.parametrize("name", CONNECTIONS)
@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_out_of_range(api: Any, admin: str, name: str, first: int) -> None:
    body = await post(api, f"query($f: Int) {{ {name}(first: $f) {{ totalCount }} }}", {"f": first}, admin)
    assert body["data"] is None
    assert codes(body) == {"INVALID"}, body


async def test_page_size_bounds_work(api: Any, admin: str) -> None:
    for first in (0, 100):
        body = await post(api, "query($f: Int) { units(first: $f) { totalCount } }", {"f": first}, admin)
        assert not body.get("errors") and body["data"]["units"]["totalCount"] == 1


async def test_companies_page_size_for_platform_admins(api: Any) -> None:
    token = await token_for(await make_platform_admin())
    body = await post(api, "{ companies(first: 101) { totalCount } }", token=token)
    assert codes(body) == {"INVALID"}


@pytest.mark.parametrize("cursor", [
    "!!!", b64("x:1"), b64("c:"), b64("c:-1"), b64("c:abc"), b64("c:\u0661"), b64("c:" + "9" * 19),
    b64("c:" + "9" * 100), "A" * 10_000, b64("\xff"),
], ids=lambda c: c[:16])
async def test_malformed_cursors(api: Any, admin: str, cursor: str) -> None:
    for name in CONNECTIONS:
        body = await post(api, f"query($a: String) {{ {name}(after: $a) {{ totalCount }} }}", {"a": cursor}, admin)
        assert body["data"] is None
        assert codes(body) == {"INVALID"}, (name, body)


async def test_a_real_cursor_pages_on(api: Any, world: World, admin: str) -> None:
    first = await post(api, "{ units(first: 1) { pageInfo { endCursor } } }", token=admin)
    cursor = first["data"]["units"]["pageInfo"]["endCursor"]
    body = await post(api, "query($a: String) { units(after: $a) { nodes { id } } }", {"a": cursor}, admin)
    assert body["data"]["units"]["nodes"] == []


# --------------------------------------------------------------------------------------- document limits


def _nested(depth: int) -> str:
    """A selection `depth` levels deep: viewer { user { bindings { unit { building { community ..."""
    chain = ["viewer", "user", "bindings", "unit", "building", "community", "buildings(first: 1)", "nodes",
             "units(first: 1)", "nodes", "building", "community", "buildings(first: 1)", "nodes", "units(first: 1)"]
    assert depth <= len(chain)
    return "{ " + " { ".join(chain[:depth]) + " { __typename" + " }" * (depth + 1)


async def test_deep_queries_are_refused(api: Any, admin: str) -> None:
    ok = await post(api, _nested(9), token=admin)
    assert not ok.get("errors"), ok
    for depth in (11, 15):
        body = await post(api, _nested(depth), token=admin)
        assert body.get("data") is None
        assert codes(body) == {"QUERY_TOO_DEEP"}, body


def _aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ isPlatformAdmin }}" for i in range(n)) + " }"


async def test_too_many_aliases(api: Any, admin: str) -> None:
    assert not (await post(api, _aliases(15), token=admin)).get("errors")
    body = await post(api, _aliases(16), token=admin)
    assert body.get("data") is None and codes(body) == {"TOO_MANY_ALIASES"}


async def test_too_many_tokens(api: Any, admin: str) -> None:
    # 1,900 tokens pass the limit (and fail later, for having too many IDs)...
    many = "{ nodes(ids: [" + '"x" ' * 1890 + "]) { __typename } }"
    assert codes(await post(api, many, token=admin)) == {"TOO_LONG"}
    # ...2,100 do not.
    body = await post(api, "{ viewer { " + "__typename " * 2100 + "} }", token=admin)
    assert body.get("data") is None and codes(body) == {"GRAPHQL_PARSE_FAILED"}


@pytest.mark.parametrize("query", ["{ viewer { ", "{ viewer { user { name } }}}", "query { 1 }", "{", "query Q($) { viewer }"])
async def test_syntax_errors(api: Any, query: str) -> None:
    body = await post(api, query)
    assert body.get("data") is None
    assert codes(body) == {"GRAPHQL_PARSE_FAILED"}, body


@pytest.mark.parametrize("query", [
    "{ viewer { nope } }",
    "{ nope }",
    "mutation { nope { ok } }",
    "{ viewer }",
    "{ units { totalCount(x: 1) } }",
    "query($x: Int) { viewer { isPlatformAdmin } }",
    "{ ...F }",  # an undefined fragment used to crash the depth limiter into an uncoded error
    "mutation {}",  # an empty selection likewise
    "{ ...F } fragment F on Query { ...F }",
])
async def test_invalid_documents(api: Any, query: str) -> None:
    body = await post(api, query)
    assert body.get("data") is None
    assert codes(body) == {"GRAPHQL_VALIDATION_FAILED"}, body


@pytest.mark.parametrize("content", [b"{not json", b"", b'{"query": 5}', b'{"variables": {}}',
                                     b'{"query": "{ viewer { isPlatformAdmin } }", "variables": "x"}'])
async def test_malformed_http_bodies_are_400(api: Any, content: bytes) -> None:
    resp = await api.client.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert not LEAK.search(resp.text)


async def test_unknown_operation_name_is_400(api: Any) -> None:
    resp = await api.client.post("/graphql", json={"query": "query A { viewer { isPlatformAdmin } }",
                                                  "operationName": "B"})
    assert resp.status_code == 400 and not LEAK.search(resp.text)


# ------------------------------------------------------------------------------------ masked exceptions


async def test_unexpected_exceptions_are_masked(api: Any, admin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.domains.tenancy import service

    async def boom(**_: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service, "save_community", boom)
    resp = await api.client.post(
        "/graphql", json={"query": 'mutation { communityCreate(input: {name: "Oops"}) { community { id } errors { code } } }'},
        headers={"authorization": f"Bearer {admin}", "x-request-id": "probe-1234"},
    )
    assert resp.status_code == 200
    assert "secret detail" not in resp.text and "RuntimeError" not in resp.text
    assert not LEAK.search(resp.text)
    [error] = resp.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["extensions"]["requestId"] == resp.headers["x-request-id"]
    assert error["extensions"]["requestId"] in error["message"]


async def test_review_reason_too_long(api: Any, world: World, admin: str) -> None:
    applicant = await make_user("Applicant")
    pending = await bind(applicant, world.unit, Relation.TENANT, BindingStatus.PENDING)
    body = await post(api, "mutation($id: ID!, $r: String!) { bindingReject(id: $id, reason: $r) "
                           "{ binding { id } errors { code field } } }",
                      {"id": encode_id("UnitBinding", pending.id), "r": LONG}, admin)
    assert body["data"]["bindingReject"] == {"binding": None, "errors": [{"code": "TOO_LONG", "field": "reason"}]}
