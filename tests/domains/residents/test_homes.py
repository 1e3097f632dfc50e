"""Finding one's home as an owner (community → building → exact unit number), the household as its residents see
it, and one's own bindings live: nothing of other people's units or bindings is revealed, and lookups are capped."""

from __future__ import annotations

import asyncio
import contextlib

from backend.core.ids import encode_id
from backend.domains.residents.models import BindingStatus, Relation
from backend.domains.tenancy.models import CompanyStatus
from tests.factories import bind, make_building, make_unit, make_user, make_world, next_phone, token_for
from tests.support.subscribe import listening, value

COMMUNITIES = "query($s: String!) { homeCommunities(search: $s) { id name address } }"
BUILDINGS = "query($c: ID!) { homeBuildings(communityId: $c) { id name } }"
UNIT = """query($b: ID!, $n: String!) { homeUnit(buildingId: $b, number: $n) {
  unit { id label floor } errors { field code } } }"""
REQUEST = """mutation($u: ID!) { bindingRequest(unitId: $u, relation: OWNER) { binding { id status } errors { code } } }"""
HOUSEHOLD = "{ viewer { bindings { unit { number household { relation status user { name } } } } } }"
ADD = """mutation($u: ID!, $p: String!) { householdMemberAdd(unitId: $u, phone: $p, name: "Kid", relation: FAMILY) {
  binding { id } errors { code } } }"""
APPROVE = "mutation($id: ID!) { bindingApprove(id: $id) { errors { code } } }"
LIVE = "subscription { viewerBindingEvents { kind binding { id status unit { number } } } }"


async def test_an_owner_finds_their_unit_step_by_step_and_asks_for_it(api):
    w = await make_world("Homes")
    await make_building(w.community, "2号楼")
    me = await token_for(await make_user("Newcomer"))
    # too short a search finds nothing; the community's own name finds it
    assert (await api.gql(COMMUNITIES, {"s": "C"}, token=me))["homeCommunities"] == []
    found = (await api.gql(COMMUNITIES, {"s": w.community.name[:-1]}, token=me))["homeCommunities"]
    assert [c["name"] for c in found] == [w.community.name]
    assert found[0]["id"] == encode_id("Community", w.community.id)
    buildings = (await api.gql(BUILDINGS, {"c": found[0]["id"]}, token=me))["homeBuildings"]
    assert sorted(b["name"] for b in buildings) == sorted([w.building.name, "2号楼"])
    bid = encode_id("Building", w.building.id)
    # the exact number (spaces trimmed) gives the unit; its ID is what bindingRequest takes
    hit = (await api.gql(UNIT, {"b": bid, "n": " 101 "}, token=me))["homeUnit"]
    assert hit["errors"] == [] and hit["unit"] == {
        "id": encode_id("Unit", w.unit.id), "label": f"{w.community.name} {w.building.name} 101", "floor": 1}
    asked = (await api.gql(REQUEST, {"u": hit["unit"]["id"]}, token=me))["bindingRequest"]
    assert asked["errors"] == [] and asked["binding"]["status"] == "PENDING"
    # a prefix, another building's number or nothing at all are refused with a field and a code
    for number, code in (("10", "NOT_FOUND"), ("9999", "NOT_FOUND"), ("  ", "REQUIRED"), ("x" * 21, "TOO_LONG")):
        miss = (await api.gql(UNIT, {"b": bid, "n": number}, token=me))["homeUnit"]
        assert miss == {"unit": None, "errors": [{"field": "number", "code": code}]}, number
    bad = (await api.gql(UNIT, {"b": "not-an-id", "n": "101"}, token=me))["homeUnit"]
    assert bad["unit"] is None and bad["errors"][0]["code"] == "INVALID_ID"


async def test_a_lookup_says_nothing_of_who_lives_there(api):
    # Given two units of one building, one with an owner and a pending request, the other empty
    w = await make_world("Quiet")
    empty = await make_unit(w.building, "102")
    await bind(await make_user("Pending"), w.unit, status=BindingStatus.PENDING)
    me = await token_for(await make_user("Prober"))
    bid = encode_id("Building", w.building.id)
    # When both are looked up, the answers have the same shape: no residents, no status, no count
    taken = await api.raw(UNIT, {"b": bid, "n": "101"}, me)
    free = await api.raw(UNIT, {"b": bid, "n": "102"}, me)
    assert set(taken["data"]["homeUnit"]["unit"]) == set(free["data"]["homeUnit"]["unit"]) == {"id", "label", "floor"}
    assert free["data"]["homeUnit"]["unit"]["id"] == encode_id("Unit", empty.id)
    # and the unit itself stays invisible to the prober through node
    node = await api.raw('query($id: ID!) { node(id: $id) { id } }', {"id": encode_id("Unit", w.unit.id)}, me)
    assert node["data"]["node"] is None


async def test_lookups_are_capped_per_person_and_need_a_sign_in(api):
    w = await make_world("Cap")
    me = await token_for(await make_user("Walker"))
    bid = encode_id("Building", w.building.id)
    answers = [(await api.gql(UNIT, {"b": bid, "n": str(n)}, token=me))["homeUnit"]["errors"] for n in range(100, 131)]
    assert [e[0]["code"] if e else "OK" for e in answers[:30]] == ["NOT_FOUND", "OK"] + ["NOT_FOUND"] * 28
    assert answers[30] == [{"field": "number", "code": "RATE_LIMITED"}]
    # the right number is refused too once the cap is reached: walking numbers cannot continue
    assert (await api.gql(UNIT, {"b": bid, "n": "101"}, token=me))["homeUnit"]["errors"][0]["code"] == "RATE_LIMITED"
    # someone else still may
    other = await token_for(await make_user("Other"))
    assert (await api.gql(UNIT, {"b": bid, "n": "101"}, token=other))["homeUnit"]["errors"] == []
    anonymous = await api.raw(COMMUNITIES, {"s": "Community"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_disabled_companies_are_not_found(api):
    w = await make_world("Gone")
    w.company.status = CompanyStatus.DISABLED
    await w.company.save()
    me = await token_for(await make_user("Late"))
    assert (await api.gql(COMMUNITIES, {"s": w.community.name}, token=me))["homeCommunities"] == []
    assert (await api.gql(BUILDINGS, {"c": encode_id("Community", w.community.id)}, token=me))["homeBuildings"] == []
    miss = (await api.gql(UNIT, {"b": encode_id("Building", w.building.id), "n": "101"}, token=me))["homeUnit"]
    assert miss["errors"] == [{"field": "number", "code": "NOT_FOUND"}]


async def test_search_text_is_bounded(api):
    me = await token_for(await make_user("Long"))
    body = await api.raw(COMMUNITIES, {"s": "x" * 51}, me)
    assert body["errors"][0]["extensions"]["code"] == "TOO_LONG"


async def test_the_household_as_each_resident_sees_it(api):
    # Given an owner with a family member and a pending invitation, and a neighbour
    w = await make_world("House")
    family = await make_user("Family")
    await bind(family, w.unit, Relation.FAMILY)
    owner = await token_for(w.owner)
    invited = next_phone()
    assert (await api.gql(ADD, {"u": encode_id("Unit", w.unit.id), "p": invited}, token=owner))[
        "householdMemberAdd"]["errors"] == []
    neighbour = await make_user("Neighbour")
    await bind(neighbour, await make_unit(w.building, "102"))

    async def household(token: str) -> list[tuple[str, str]]:
        homes = (await api.gql(HOUSEHOLD, token=token))["viewer"]["bindings"]
        return [(m["relation"], m["status"]) for h in homes for m in h["unit"]["household"]]

    # the owner sees members and the invitation; the family member the members; the neighbour only their own
    assert sorted(await household(owner)) == [("FAMILY", "APPROVED"), ("FAMILY", "INVITED"), ("OWNER", "APPROVED")]
    assert sorted(await household(await token_for(family))) == [("FAMILY", "APPROVED"), ("OWNER", "APPROVED")]
    assert await household(await token_for(neighbour)) == [("OWNER", "APPROVED")]
    # staff list residents through Unit.residents; household is empty for them
    unit = await api.gql('query($id: ID!) { node(id: $id) { ... on Unit { household { id } } } }',
                         {"id": encode_id("Unit", w.unit.id)}, token=await token_for(w.admin))
    assert unit["node"]["household"] == []


async def test_a_person_sees_their_own_request_reviewed_live_and_nothing_of_others(api):
    # Given a person with a pending request, subscribed, and a stranger subscribed too
    w = await make_world("Live")
    me = await token_for(await make_user("Asker"))
    asked = (await api.gql(REQUEST, {"u": encode_id("Unit", w.unit.id)}, token=me))["bindingRequest"]["binding"]
    mine, first = await listening(LIVE, me)
    theirs, waiting = await listening(LIVE, await token_for(await make_user("Stranger")))
    # When staff approve it
    assert (await api.gql(APPROVE, {"id": asked["id"]}, token=await token_for(w.admin)))["bindingApprove"]["errors"] == []
    # Then the person hears of it, with the unit now visible to them; the stranger hears nothing
    event = await value(first, "viewerBindingEvents")
    assert event == {"kind": "APPROVED", "binding": {"id": asked["id"], "status": "APPROVED", "unit": {"number": "101"}}}
    # an invitation into a household reaches the invitee's own stream
    invitee_phone = next_phone()
    invitee = await make_user("Invitee", phone=invitee_phone)
    stream, next_one = await listening(LIVE, await token_for(invitee))
    added = (await api.gql(ADD, {"u": encode_id("Unit", w.unit.id), "p": invitee_phone}, token=await token_for(w.owner)))
    assert added["householdMemberAdd"]["errors"] == []
    invited = await value(next_one, "viewerBindingEvents")
    assert invited["kind"] == "INVITED" and invited["binding"]["status"] == "INVITED"
    await asyncio.sleep(0.2)
    assert not waiting.done()
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    for s in (mine, stream):
        await s.aclose()


async def test_a_requester_and_an_invitee_see_which_home_and_who_invited_them(api):
    # Given a pending request and a household invitation
    w = await make_world("Label")
    asker = await token_for(await make_user("Asker"))
    await api.gql(REQUEST, {"u": encode_id("Unit", w.unit.id)}, token=asker)
    invitee_phone = next_phone()
    invitee = await make_user("Invitee", phone=invitee_phone)
    await api.gql(ADD, {"u": encode_id("Unit", w.unit.id), "p": invitee_phone}, token=await token_for(w.owner))
    mine = "{ viewer { bindings { status unitLabel invitedBy unit { number } } } }"
    label = f"{w.community.name} {w.building.name} 101"
    # Then the requester sees the label of the unit asked for (the unit itself stays theirs only once approved)
    assert (await api.gql(mine, token=asker))["viewer"]["bindings"] == [
        {"status": "PENDING", "unitLabel": label, "invitedBy": None, "unit": None}]
    # and the invitee sees the home and the owner who invited them
    seen = (await api.gql(mine, token=await token_for(invitee)))["viewer"]["bindings"]
    assert [(b["status"], b["unitLabel"], b["invitedBy"]) for b in seen] == [("INVITED", label, "Owner Label")]
    # the owner's own view of that invitation names nobody as its inviter
    household = "{ viewer { bindings { unit { household { status invitedBy } } } } }"
    members = (await api.gql(household, token=await token_for(w.owner)))["viewer"]["bindings"][0]["unit"]["household"]
    assert {m["status"]: m["invitedBy"] for m in members} == {"APPROVED": None, "INVITED": None}
