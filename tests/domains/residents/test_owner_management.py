"""Staff manage owners by hand: add them (binding an existing account untouched), rename them as the company knows
them, bind them to more units and unbind them; refusals carry codes, other companies reach nothing."""

from __future__ import annotations

import asyncio

from backend.core.ids import encode_id
from backend.domains.accounts.models import User
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from tests.domains.imports.test_exports import export, table
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_staff,
    make_unit,
    make_user,
    make_world,
    next_phone,
    token_for,
)

OWNER_FIELDS = "id __typename name phone bindings { id status relation knownAs unit { id number } }"
CREATE = f"""
mutation($input: OwnerCreateInput!) {{
  ownerCreate(input: $input) {{ owner {{ {OWNER_FIELDS} }} errors {{ field code }} }}
}}"""
UPDATE = f"""
mutation($id: ID!, $name: String!) {{
  ownerUpdate(id: $id, input: {{name: $name}}) {{ owner {{ {OWNER_FIELDS} }} errors {{ field code }} }}
}}"""
BINDING = "id __typename status relation reason knownAs unit { id number } user { id name }"
ADD_UNIT = f"""
mutation($ownerId: ID!, $unitId: ID!, $relation: Relation!) {{
  ownerUnitAdd(ownerId: $ownerId, unitId: $unitId, relation: $relation) {{ binding {{ {BINDING} }} errors {{ field code }} }}
}}"""
REMOVE = f"""
mutation($id: ID!, $reason: String!) {{
  bindingRemove(id: $id, reason: $reason) {{ binding {{ {BINDING} }} errors {{ field code }} }}
}}"""
REQUEST = """
mutation($unitId: ID!) { bindingRequest(unitId: $unitId, relation: OWNER) { binding { id } errors { code } } }"""
OWNERS = """
query($filter: OwnerFilter) { owners(filter: $filter) { totalCount nodes { id name bindings { knownAs } } } }"""
AUDIT = """
query($action: String) { auditLogs(filter: {action: $action}) { nodes { action targetType targetId summary } } }"""
UNIT_RESIDENTS = "query($id: ID!) { node(id: $id) { ... on Unit { residents { id knownAs user { id } } } } }"


def gid(type_name: str, obj) -> str:  # noqa: ANN001 - any model row
    return encode_id(type_name, obj.id)


def create_input(name: str, phone: str, *units: tuple[object, str]) -> dict:
    return {"input": {"name": name, "phone": phone,
                      "units": [{"unitId": gid("Unit", u), "relation": r} for u, r in units]}}


# --- adding an owner ---------------------------------------------------------------------------------------------


async def test_staff_add_an_owner_with_a_new_phone(api):
    # given
    w = await make_world("A")
    unit = await make_unit(w.building, "1201", 12)
    admin = await token_for(w.admin)
    phone = next_phone()
    # when
    out = (await api.gql(CREATE, create_input("王五", phone, (unit, "OWNER"), (w.unit, "TENANT")), token=admin))
    out = out["ownerCreate"]
    # then: a new account with no name of its own; the company's name for them is on its record
    assert out["errors"] == []
    owner = out["owner"]
    assert (owner["__typename"], owner["name"], owner["phone"]) == ("User", "", phone)
    assert sorted((b["unit"]["number"], b["relation"], b["status"], b["knownAs"]) for b in owner["bindings"]) == [
        ("101", "TENANT", "APPROVED", "王五"), ("1201", "OWNER", "APPROVED", "王五")]
    # they are in the owner list, found by the company's name for them
    found = (await api.gql(OWNERS, {"filter": {"search": "王五"}}, token=admin))["owners"]
    assert [n["id"] for n in found["nodes"]] == [owner["id"]]
    # and the unit shows them as a resident
    residents = (await api.gql(UNIT_RESIDENTS, {"id": gid("Unit", unit)}, token=admin))["node"]["residents"]
    assert [(r["user"]["id"], r["knownAs"]) for r in residents] == [(owner["id"], "王五")]
    # audited, without the phone
    logs = (await api.gql(AUDIT, {"action": "owner.create"}, token=admin))["auditLogs"]["nodes"]
    assert [(n["action"], n["targetType"], n["targetId"]) for n in logs] == [("owner.create", "User", owner["id"])]
    assert phone not in str(logs[0]["summary"])


async def test_an_account_the_company_does_not_know_is_refused(api):
    # given: a person with an account, a name and a password of their own, unknown to company A
    w = await make_world("A")
    person = await make_user("Li Si", password="Secret-pass-123")
    admin = await token_for(w.admin)
    phone = (await api.gql("{ viewer { user { phone } } }", token=await token_for(person)))["viewer"]["user"]["phone"]
    # when: staff try to add them by their number
    out = (await api.gql(CREATE, create_input("Big Li", phone, (w.unit, "FAMILY")), token=admin))["ownerCreate"]
    # then: refused (binding them would show staff the person's own name for any number typed), nothing written
    assert out == {"owner": None, "errors": [{"field": "phone", "code": "HAS_ACCOUNT"}]}
    assert not await UnitBinding.filter(user_id=person.id).exists()
    found = (await api.gql(OWNERS, {"filter": {"search": "Li"}}, token=admin))["owners"]
    assert found["totalCount"] == 0


async def test_an_existing_account_the_company_knows_is_bound_as_it_is(api):
    # given: a person with an account of their own who already lives in one of the company's units
    w = await make_world("A")
    unit = await make_unit(w.building, "1301", 13)
    person = await make_user("Li Si", password="Secret-pass-123")
    await bind(person, w.unit, Relation.OWNER)
    before = await User.get(id=person.id)
    admin = await token_for(w.admin)
    person_phone = (await api.gql("{ viewer { user { phone } } }", token=await token_for(person)))["viewer"]["user"]
    # when: staff add them to another unit under another name
    out = (await api.gql(CREATE, create_input("Big Li", person_phone["phone"], (unit, "FAMILY")),
                         token=admin))["ownerCreate"]
    # then: the same account, its name and credentials unchanged; the company knows them as Big Li
    assert out["errors"] == []
    assert out["owner"]["id"] == gid("User", person)
    assert out["owner"]["name"] == "Li Si"
    assert sorted(b["unit"]["number"] for b in out["owner"]["bindings"]) == ["101", "1301"]
    assert {b["knownAs"] for b in out["owner"]["bindings"]} == {"Big Li"}
    after = await User.get(id=person.id)
    assert (after.name, after.password_hash, after.phone_hash) == (before.name, before.password_hash, before.phone_hash)
    # the person themself does not see the company's name for them
    mine = await api.gql("{ viewer { bindings { knownAs } } }", token=await token_for(person))
    assert mine["viewer"]["bindings"] == [{"knownAs": None}, {"knownAs": None}]


async def test_adding_an_owner_refuses_bad_input_with_codes(api):
    # given
    w = await make_world("A")
    other = await make_world("B")
    admin = await token_for(w.admin)

    async def refused(variables: dict) -> list[dict]:
        out = (await api.gql(CREATE, variables, token=admin))["ownerCreate"]
        assert out["owner"] is None
        return out["errors"]

    # when / then
    assert await refused(create_input("  ", next_phone(), (w.unit, "OWNER"))) == [{"field": "name", "code": "REQUIRED"}]
    assert await refused(create_input("x" * 51, next_phone(), (w.unit, "OWNER"))) == [
        {"field": "name", "code": "TOO_LONG"}]
    assert await refused(create_input("Wang", "12345", (w.unit, "OWNER"))) == [
        {"field": "phone", "code": "INVALID_PHONE"}]
    assert await refused(create_input("Wang", next_phone())) == [{"field": "units", "code": "REQUIRED"}]
    assert await refused(create_input("Wang", next_phone(), (w.unit, "OWNER"), (w.unit, "FAMILY"))) == [
        {"field": "units", "code": "DUPLICATE"}]
    # another company's unit is not found, and nothing was created meanwhile
    phone = next_phone()
    assert await refused(create_input("Wang", phone, (w.unit, "OWNER"), (other.unit, "OWNER"))) == [
        {"field": "units.1.unitId", "code": "NOT_FOUND"}]
    assert await User.filter(name="Wang").count() == 0
    assert (await api.gql(OWNERS, {"filter": {"phone": phone}}, token=admin))["owners"]["totalCount"] == 0
    # the owner of the unit, already bound, cannot be bound twice
    owner_phone = (await api.gql("{ viewer { user { phone } } }", token=await token_for(w.owner)))["viewer"]["user"]
    assert await refused(create_input("Again", owner_phone["phone"], (w.unit, "OWNER"))) == [
        {"field": "units.0.unitId", "code": "DUPLICATE"}]


async def test_adding_an_owner_needs_binding_review_in_that_community(api):
    # given: finance reads owners but reviews no bindings; a customer service agent works in one community only
    w = await make_world("A")
    finance = await token_for(await make_staff(w.company, "finance"))
    north = await make_community(w.company, "North")
    north_unit = await make_unit(await make_building(north), "1")
    agent = await token_for(await make_staff(w.company, "customer_service", community=north))
    # when / then
    out = (await api.gql(CREATE, create_input("Wang", next_phone(), (w.unit, "OWNER")), token=finance))["ownerCreate"]
    assert out["errors"] == [{"field": None, "code": "FORBIDDEN"}]
    out = (await api.gql(CREATE, create_input("Wang", next_phone(), (w.unit, "OWNER")), token=agent))["ownerCreate"]
    assert out["errors"] == [{"field": "units.0.unitId", "code": "NOT_FOUND"}]
    out = (await api.gql(CREATE, create_input("Wang", next_phone(), (north_unit, "OWNER")), token=agent))
    assert out["ownerCreate"]["errors"] == []
    # signed out
    body = await api.raw(CREATE, create_input("Wang", next_phone(), (w.unit, "OWNER")))
    assert body["data"]["ownerCreate"]["errors"][0]["code"] == "UNAUTHENTICATED"


# --- renaming, adding a unit ---------------------------------------------------------------------------------------


async def test_rename_changes_the_company_name_only(api):
    # given
    w = await make_world("A")
    admin = await token_for(w.admin)
    # when
    out = (await api.gql(UPDATE, {"id": gid("User", w.owner), "name": " Old Zhang "}, token=admin))["ownerUpdate"]
    # then
    assert out["errors"] == []
    assert out["owner"]["name"] == w.owner.name
    assert [b["knownAs"] for b in out["owner"]["bindings"]] == ["Old Zhang"]
    assert (await User.get(id=w.owner.id)).name == w.owner.name
    again = (await api.gql(UPDATE, {"id": gid("User", w.owner), "name": "Zhang"}, token=admin))["ownerUpdate"]
    assert [b["knownAs"] for b in again["owner"]["bindings"]] == ["Zhang"]
    bad = (await api.gql(UPDATE, {"id": gid("User", w.owner), "name": ""}, token=admin))["ownerUpdate"]
    assert bad == {"owner": None, "errors": [{"field": "name", "code": "REQUIRED"}]}
    logs = (await api.gql(AUDIT, {"action": "owner.update"}, token=admin))["auditLogs"]["nodes"]
    assert [n["targetId"] for n in logs] == [gid("User", w.owner)] * 2


async def test_add_a_unit_to_an_owner_once(api):
    # given
    w = await make_world("A")
    unit = await make_unit(w.building, "202", 2)
    admin = await token_for(w.admin)
    variables = {"ownerId": gid("User", w.owner), "unitId": gid("Unit", unit), "relation": "TENANT"}
    # when: two staff add the same unit at once
    first, second = await asyncio.gather(api.gql(ADD_UNIT, variables, token=admin),
                                         api.gql(ADD_UNIT, variables, token=admin))
    # then: one binding, the other refused
    outs = sorted([first["ownerUnitAdd"], second["ownerUnitAdd"]], key=lambda o: len(o["errors"]))
    assert outs[0]["errors"] == [] and outs[0]["binding"]["status"] == "APPROVED"
    assert outs[1] == {"binding": None, "errors": [{"field": "unitId", "code": "DUPLICATE"}]}
    assert await UnitBinding.filter(unit_id=unit.id, user_id=w.owner.id, status=BindingStatus.APPROVED).count() == 1
    logs = (await api.gql(AUDIT, {"action": "binding.add"}, token=admin))["auditLogs"]["nodes"]
    assert [n["targetId"] for n in logs] == [outs[0]["binding"]["id"]]


async def test_a_unit_added_by_staff_answers_the_persons_request(api):
    # given: a person asked for a unit
    w = await make_world("A")
    unit = await make_unit(w.building, "303", 3)
    person = await make_user("Asker")
    await bind(person, w.unit, Relation.FAMILY)
    asked = (await api.gql(REQUEST, {"unitId": gid("Unit", unit)}, token=await token_for(person)))["bindingRequest"]
    admin = await token_for(w.admin)
    # when: staff bind them to it by hand
    out = (await api.gql(ADD_UNIT, {"ownerId": gid("User", person), "unitId": gid("Unit", unit), "relation": "OWNER"},
                         token=admin))["ownerUnitAdd"]
    # then: the request is closed, and approving it later is refused
    assert out["errors"] == []
    request = await UnitBinding.get(id=int((await UnitBinding.filter(status=BindingStatus.REMOVED,
                                                                       user_id=person.id).first()).id))
    assert request.unit_id == unit.id and asked["errors"] == []
    approve = "mutation($id: ID!) { bindingApprove(id: $id) { errors { code } } }"
    refused = (await api.gql(approve, {"id": asked["binding"]["id"]}, token=admin))["bindingApprove"]
    assert refused["errors"] == [{"code": "NOT_PENDING"}]


async def test_approving_a_request_for_a_unit_already_held_is_refused(api):
    # given: an approved binding and, beside it, a pending request for the same unit (made before it was approved)
    w = await make_world("A")
    pending = await bind(w.owner, w.unit, status=BindingStatus.PENDING)
    admin = await token_for(w.admin)
    # when
    out = await api.gql("mutation($id: ID!) { bindingApprove(id: $id) { errors { field code } } }",
                        {"id": gid("UnitBinding", pending)}, token=admin)
    # then
    assert out["bindingApprove"]["errors"] == [{"field": "id", "code": "DUPLICATE"}]


# --- unbinding ---------------------------------------------------------------------------------------------------


async def test_unbind_with_a_reason(api):
    # given
    w = await make_world("A")
    admin = await token_for(w.admin)
    binding = await UnitBinding.get(user_id=w.owner.id, unit_id=w.unit.id)
    # when / then: a reason is required
    empty = (await api.gql(REMOVE, {"id": gid("UnitBinding", binding), "reason": " "}, token=admin))["bindingRemove"]
    assert empty == {"binding": None, "errors": [{"field": "reason", "code": "REQUIRED"}]}
    out = (await api.gql(REMOVE, {"id": gid("UnitBinding", binding), "reason": "Sold the flat"}, token=admin))
    out = out["bindingRemove"]
    assert out["errors"] == []
    assert (out["binding"]["status"], out["binding"]["reason"]) == ("REMOVED", "Sold the flat")
    # a second time: not bound any more
    again = (await api.gql(REMOVE, {"id": gid("UnitBinding", binding), "reason": "x"}, token=admin))["bindingRemove"]
    assert again == {"binding": None, "errors": [{"field": "id", "code": "NOT_BOUND"}]}
    # they leave the owner list; the removal is audited with its reason
    assert (await api.gql(OWNERS, {}, token=admin))["owners"]["totalCount"] == 0
    logs = (await api.gql(AUDIT, {"action": "binding.remove"}, token=admin))["auditLogs"]["nodes"]
    assert [(n["targetId"], n["summary"]["reason"]) for n in logs] == [(gid("UnitBinding", binding), "Sold the flat")]


# --- other companies ----------------------------------------------------------------------------------------------


async def test_another_company_reaches_none_of_your_owners(api):
    # given
    w = await make_world("A")
    other = await make_world("B")
    theirs = await token_for(other.admin)
    binding = await UnitBinding.get(user_id=w.owner.id, unit_id=w.unit.id)
    await api.gql(UPDATE, {"id": gid("User", w.owner), "name": "A's name"}, token=await token_for(w.admin))
    # when / then: no rename, no unit added (to theirs or ours), no unbinding
    out = (await api.gql(UPDATE, {"id": gid("User", w.owner), "name": "Mine"}, token=theirs))["ownerUpdate"]
    assert out == {"owner": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    for unit in (other.unit, w.unit):
        out = (await api.gql(ADD_UNIT, {"ownerId": gid("User", w.owner), "unitId": gid("Unit", unit),
                                        "relation": "OWNER"}, token=theirs))["ownerUnitAdd"]
        assert out == {"binding": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    out = (await api.gql(REMOVE, {"id": gid("UnitBinding", binding), "reason": "x"}, token=theirs))["bindingRemove"]
    assert out == {"binding": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    # nothing changed
    assert (await UnitBinding.get(id=binding.id)).status == BindingStatus.APPROVED
    assert await UnitBinding.filter(user_id=w.owner.id).count() == 1
    # adding A's owner by phone is refused to B, who does not know them: no binding, nothing of the person shown
    phone = (await api.gql("{ viewer { user { phone } } }", token=await token_for(w.owner)))["viewer"]["user"]["phone"]
    out = (await api.gql(CREATE, create_input("B's name", phone, (other.unit, "TENANT")), token=theirs))["ownerCreate"]
    assert out == {"owner": None, "errors": [{"field": "phone", "code": "HAS_ACCOUNT"}]}
    assert await UnitBinding.filter(user_id=w.owner.id).count() == 1
    mine = (await api.gql(UPDATE, {"id": gid("User", w.owner), "name": "A's name"},
                          token=await token_for(w.admin)))["ownerUpdate"]
    assert [b["knownAs"] for b in mine["owner"]["bindings"]] == ["A's name"]


async def test_the_owner_export_uses_the_company_name(api):
    # given: one owner renamed by the company, one not
    w = await make_world("A")
    admin = await token_for(w.admin)
    other = await make_user("Own Name")
    await bind(other, w.unit, Relation.FAMILY)
    await api.gql(UPDATE, {"id": gid("User", w.owner), "name": "Company Name"}, token=admin)
    # when
    resp = await export(api, "owners", admin)
    # then
    names = sorted(r[0] for r in table(resp)[1:])
    assert names == ["Company Name", "Own Name"]
