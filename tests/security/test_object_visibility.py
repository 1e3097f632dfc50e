"""Object-level visibility: opaque IDs, nested fields that cannot cross tenants or scopes, scoped grants, and the
schema guard that turns an unchecked object into an error instead of data."""

from __future__ import annotations

import base64
from typing import Any

import strawberry

from backend.core import access
from backend.core.context import Context
from backend.core.gql import Node
from backend.core.ids import decode_any, encode_id
from backend.domains.residents.models import BindingStatus, Relation
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_company,
    make_staff,
    make_unit,
    make_user,
    make_world,
    token_for,
)

NODE = "query($id: ID!) { node(id: $id) { __typename ... on Node { id } } }"


def codes(body: dict[str, Any]) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


# ------------------------------------------------------------------------------------------------ opaque IDs


async def test_ids_cannot_be_guessed_from_one_another(api: Any) -> None:
    w = await make_world("A")
    admin = await token_for(w.admin)
    real = encode_id("Unit", w.unit.id)
    assert (await api.gql(NODE, {"id": real}, token=admin))["node"]["id"] == real
    # the old readable form, a neighbour with the tag kept, a zero-padded spelling: none is an ID of ours
    tag = base64.urlsafe_b64decode(real + "=" * (-len(real) % 4))[:9]
    forged = [
        base64.b64encode(f"Unit:{w.unit.id}".encode()).decode(),
        base64.urlsafe_b64encode(tag + f"Unit:{w.unit.id + 1}".encode()).rstrip(b"=").decode(),
        base64.urlsafe_b64encode(tag + f"Unit:0{w.unit.id}".encode()).rstrip(b"=").decode(),
        base64.urlsafe_b64encode(tag + f"Building:{w.unit.id}".encode()).rstrip(b"=").decode(),
        real + "=",
        real[:-1] + ("A" if real[-1] != "A" else "B"),
    ]
    for gid in forged:
        body = await api.raw(NODE, {"id": gid}, token=admin)
        assert body["data"] == {"node": None} and codes(body) == {"INVALID_ID"}, (gid, body)


async def test_ids_are_distinct_per_type_and_round_trip() -> None:
    assert encode_id("Unit", 7) != encode_id("Building", 7) != encode_id("Unit", 8)
    assert decode_any(encode_id("Ticket", 123456789)) == ("Ticket", 123456789)
    assert "Unit" not in encode_id("Unit", 7)  # not the readable base64 of "Unit:7"


# --------------------------------------------------------------------------- nested fields cross no tenant


BINDING = """
mutation($u: ID!) { bindingRequest(unitId: $u, relation: OWNER) { errors { code } binding { id status
  unit { id number area building { name units { nodes { id number } } } residents { user { phone } } }
  community { id name address buildings { nodes { id } } } } } }"""


async def test_a_binding_request_to_another_company_shows_nothing_of_it(api: Any) -> None:
    # given staff of company A and a (known) unit of company B with a resident
    a, b = await make_world("A"), await make_world("B")
    admin_a = await token_for(a.admin)
    # when A's admin asks to be bound to B's unit and walks from the answer
    body = await api.raw(BINDING, {"u": encode_id("Unit", b.unit.id)}, token=admin_a)
    # then the request is theirs, but the unit and community are not visible: no name, area, units or phones
    result = body["data"]["bindingRequest"]
    assert result["errors"] == [] and result["binding"]["status"] == "PENDING"
    assert result["binding"]["unit"] is None and result["binding"]["community"] is None
    assert b.unit.number not in str(body) and b.community.name not in str(body)


async def test_an_owners_pending_request_reveals_nothing_until_approved(api: Any) -> None:
    w = await make_world("A")
    person = await make_user("Applicant")
    token = await token_for(person)
    asked = (await api.gql(BINDING, {"u": encode_id("Unit", w.unit.id)}, token=token))["bindingRequest"]
    assert asked["binding"]["unit"] is None and asked["binding"]["community"] is None
    mine = await api.gql("{ viewer { bindings { status unit { id } community { name } } } }", token=token)
    assert mine["viewer"]["bindings"] == [{"status": "PENDING", "unit": None, "community": None}]
    # once approved the unit is theirs to see
    reviewer = await token_for(w.admin)
    await api.gql("mutation($id: ID!) { bindingApprove(id: $id) { errors { code } } }",
                  {"id": asked["binding"]["id"]}, token=reviewer)
    mine = await api.gql("{ viewer { bindings { status unit { number } } } }", token=token)
    assert mine["viewer"]["bindings"] == [{"status": "APPROVED", "unit": {"number": w.unit.number}}]


async def test_a_community_scoped_manager_cannot_walk_to_another_community(api: Any) -> None:
    # given one company with communities C1 and C2, a manager limited to C1, and a person bound in both
    company = await make_company()
    c1, c2 = await make_community(company, "C1"), await make_community(company, "C2")
    u1, u2 = await make_unit(await make_building(c1), "101"), await make_unit(await make_building(c2), "201")
    both = await make_user("Both")
    await bind(both, u1)
    await bind(both, u2)
    manager = await token_for(await make_staff(company, "community_manager", c1, "Manager"))
    # when the manager reads the person through C1 and follows their bindings
    body = await api.gql("""query($id: ID!) { node(id: $id) { ... on Unit { residents { user { phone
        bindings { unit { number } community { name } } } } } } }""", {"id": encode_id("Unit", u1.id)},
                         token=manager)
    user = body["node"]["residents"][0]["user"]
    # then only C1's binding shows, and the phone is full (owner.phone covers C1)
    assert user["bindings"] == [{"unit": {"number": "101"}, "community": {"name": "C1"}}]
    assert user["phone"].isdigit()
    # and C2's unit, building and community are not reachable by node either
    for gid in (encode_id("Unit", u2.id), encode_id("Community", c2.id), encode_id("Building", u2.building_id)):
        assert (await api.gql(NODE, {"id": gid}, token=manager))["node"] is None


async def test_scoped_staff_read_lists_and_shows_only_their_community(api: Any) -> None:
    company = await make_company()
    c1, c2 = await make_community(company, "C1"), await make_community(company, "C2")
    await make_staff(company, "technician", c2, "Tech C2")
    await make_staff(company, "technician", c1, "Tech C1")
    manager = await token_for(await make_staff(company, "community_manager", c1, "Manager"))
    body = await api.gql("{ staffMembers(first: 50) { nodes { user { name } grants { community { name } } } } }",
                         token=manager)
    names = {n["user"]["name"] for n in body["staffMembers"]["nodes"]}
    assert "Tech C1" in names and "Tech C2" not in names
    communities = {g["community"]["name"] for n in body["staffMembers"]["nodes"] for g in n["grants"]
                   if g["community"]}
    assert communities == {"C1"}


async def test_owner_phone_is_full_only_within_the_grants_scope(api: Any) -> None:
    # a customer-service agent of C1 (owner.phone limited to C1) sees a C1 owner's phone in full; the same
    # agent sees a colleague's phone masked (no staff.write) — and nobody of another company at all
    company = await make_company()
    c1 = await make_community(company, "C1")
    unit = await make_unit(await make_building(c1), "101")
    owner = await make_user("Owner")
    await bind(owner, unit)
    agent_user = await make_staff(company, "customer_service", c1, "Agent")
    agent = await token_for(agent_user)
    body = await api.gql("{ owners { nodes { phone } } }", token=agent)
    assert body["owners"]["nodes"][0]["phone"].isdigit()
    other = await make_world("B")
    assert (await api.gql(NODE, {"id": encode_id("User", other.owner.id)}, token=agent))["node"] is None
    assert (await api.gql(NODE, {"id": encode_id("User", other.admin.id)}, token=agent))["node"] is None


async def test_a_resident_sees_co_residents_but_not_invitations_or_requests(api: Any) -> None:
    w = await make_world("A")
    family = await make_user("Family")
    await bind(family, w.unit, Relation.FAMILY)
    stranger = await make_user("Stranger")
    await bind(stranger, w.unit, Relation.OWNER, BindingStatus.PENDING)
    body = await api.gql("query($id: ID!) { node(id: $id) { ... on Unit { residents { user { name phone } } } } }",
                         {"id": encode_id("Unit", w.unit.id)}, token=await token_for(family))
    residents = body["node"]["residents"]
    assert sorted(r["user"]["name"] for r in residents) == ["Family", w.owner.name]
    assert all("****" in r["user"]["phone"] for r in residents if r["user"]["name"] != "Family")
    stranger_id = encode_id("User", stranger.id)
    assert (await api.gql(NODE, {"id": stranger_id}, token=await token_for(w.owner)))["node"] is None


# ---------------------------------------------------------------------------------------- the schema guard


@strawberry.type(description="A probe type whose rule refuses odd pks.")
class Probe(Node):
    label: str = strawberry.field(description="A label.")


@access.rule(Probe)
async def _probe_rule(ctx: Context, objs: list[Probe]) -> list[bool]:
    return [o._pk % 2 == 0 for o in objs]


@strawberry.type
class _ProbeQuery:
    @strawberry.field
    def probes(self) -> list[Probe | None]:
        return [Probe(_pk=i, label=f"p{i}") for i in range(4)]

    @strawberry.field
    def probe(self) -> Probe:
        return Probe(_pk=1, label="secret")


async def test_an_object_that_skips_its_rule_becomes_an_error_never_data() -> None:
    probe_schema = strawberry.Schema(query=_ProbeQuery, types=[Probe])
    access.guard_schema(probe_schema._schema)
    result = await probe_schema.execute("{ probes { label } probe { label } }", context_value=Context())
    assert result.data is None or "secret" not in str(result.data)
    errors = result.errors or []
    assert {e.path[0] for e in errors} == {"probes", "probe"}
    assert all(getattr(e.original_error, "code", None) == "FORBIDDEN" for e in errors)
    result = await probe_schema.execute("{ probes { label } }", context_value=Context())
    assert result.data == {"probes": [{"label": "p0"}, None, {"label": "p2"}, None]}


def test_every_node_type_has_a_rule() -> None:
    from backend.core.gql import NODE_TYPES

    assert set(NODE_TYPES) <= set(access.RULES)
