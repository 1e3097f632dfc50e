"""Owners report repairs for their units or public areas, once per idempotency key, and see only their own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from backend.core.crypto import open_phone
from backend.core.ids import encode_id
from backend.domains.repairs.models import Ticket
from backend.domains.residents.models import BindingStatus, Relation
from tests.domains.repairs import support as s
from tests.domains.repairs.support import create, repair_world, second_owner, ticket_in
from tests.factories import bind, make_unit, make_user, token_for


def codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_owner_reports_a_repair_for_their_unit_with_sla_from_the_defaults(api):
    # given
    w = await repair_world(api)
    before = datetime.now(UTC)
    start, end = before + timedelta(days=1), before + timedelta(days=1, hours=3)
    # when
    payload = await create(api, w, urgency="URGENT", description="  Water on the floor  ",
                           preferredStart=start.isoformat(), preferredEnd=end.isoformat())
    # then
    t = payload["ticket"]
    assert payload["errors"] == [] and t["__typename"] == "Ticket"
    assert t["status"] == "SUBMITTED" and t["urgency"] == "URGENT" and t["description"] == "Water on the floor"
    assert t["unit"]["id"] == w.unit_id and t["community"]["id"] == w.community_id and t["category"]["name"] == "水电"
    assert t["number"].startswith("R") and t["technician"] is None and t["overdue"] is False
    accept_due = datetime.fromisoformat(t["acceptDue"])
    finish_due = datetime.fromisoformat(t["finishDue"])
    assert timedelta(minutes=15) <= accept_due - before < timedelta(minutes=16)  # urgent: 15 min / 8 h
    assert timedelta(hours=8) <= finish_due - before < timedelta(hours=8, minutes=1)


async def test_sla_follows_the_community_settings(api):
    # given
    w = await repair_world(api)
    await s.run(api, s.SETTINGS, w.tokens["manager"], communityId=w.community_id,
                input={"normalAcceptMinutes": 30, "normalFinishHours": 24})
    before = datetime.now(UTC)
    # when
    t = (await create(api, w))["ticket"]
    # then
    assert timedelta(minutes=30) <= datetime.fromisoformat(t["acceptDue"]) - before < timedelta(minutes=31)
    assert timedelta(hours=24) <= datetime.fromisoformat(t["finishDue"]) - before < timedelta(hours=24, minutes=1)


async def test_public_area_of_the_owners_community(api):
    # given
    w = await repair_world(api)
    # when
    payload = await create(api, w, unitId=None, communityId=w.community_id, publicArea="2号楼电梯",
                           categoryId=w.categories["电梯"])
    # then
    assert payload["errors"] == []
    assert payload["ticket"]["unit"] is None and payload["ticket"]["publicArea"] == "2号楼电梯"


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"description": ""}, [("description", "REQUIRED")]),
    ({"description": "x" * 1001}, [("description", "TOO_LONG")]),
    ({"idempotencyKey": ""}, [("idempotencyKey", "REQUIRED")]),
    ({"idempotencyKey": "k" * 65}, [("idempotencyKey", "TOO_LONG")]),
    ({"unitId": None}, [("unitId", "REQUIRED")]),
    ({"unitId": None, "communityId": "COMMUNITY", "publicArea": ""}, [("publicArea", "REQUIRED")]),
    ({"publicArea": "Lobby"}, [("publicArea", "INVALID")]),
    ({"categoryId": "NO_SUCH_CATEGORY"}, [("categoryId", "NOT_FOUND")]),
    ({"preferredStart": "+2h", "preferredEnd": "+1h"}, [("preferredEnd", "INVALID")]),
    ({"preferredStart": "+1h", "preferredEnd": "+15d"}, [("preferredEnd", "INVALID")]),
    ({"preferredStart": "+1h"}, [("preferredEnd", "REQUIRED")]),
])
async def test_bad_input_is_refused_with_codes(api, overrides, expected):
    # given
    w = await repair_world(api)
    now = datetime.now(UTC)
    steps = {"+1h": timedelta(hours=1), "+2h": timedelta(hours=2), "+15d": timedelta(days=15)}
    # IDs are keyed with the run's secret, so they are made here rather than at collection
    named = {"COMMUNITY": w.community_id, "NO_SUCH_CATEGORY": encode_id("RepairCategory", 999999)}
    values = {k: ((now + steps[v]).isoformat() if v in steps else named.get(v, v) if isinstance(v, str) else v)
              for k, v in overrides.items()}
    # when
    payload = await create(api, w, **values)
    # then
    assert codes(payload) == expected and payload["ticket"] is None
    assert await Ticket.all().count() == 0


async def test_only_units_and_communities_the_owner_is_bound_to(api):
    # given a unit of the same building the owner is not bound to, a pending binding, and another world
    w = await repair_world(api)
    other = await repair_world(api, "B")
    pending_unit = await make_unit(w.building, "909")
    await bind(w.owner, pending_unit, Relation.OWNER, BindingStatus.PENDING)
    stranger = await make_user("Stranger")
    # when / then
    assert codes(await create(api, w, unitId=encode_id("Unit", pending_unit.id))) == [("unitId", "NOT_FOUND")]
    assert codes(await create(api, w, unitId=other.unit_id)) == [("unitId", "NOT_FOUND")]
    assert codes(await create(api, w, unitId=None, communityId=other.community_id, publicArea="Gate")) == [
        ("communityId", "NOT_FOUND")]
    # someone bound nowhere cannot even name a category
    assert codes(await create(api, w, token=await token_for(stranger))) == [("categoryId", "NOT_FOUND")]
    # a category of another company is not usable here
    assert codes(await create(api, w, categoryId=other.categories["水电"])) == [("categoryId", "NOT_FOUND")]
    body = await api.raw(s.CREATE, {"input": {"unitId": w.unit_id, "categoryId": w.categories["水电"],
                                              "description": "x", "idempotencyKey": "anon"}})
    assert body["data"]["ticketCreate"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert await Ticket.all().count() == 0


async def test_a_disabled_category_takes_no_new_tickets(api):
    # given
    w = await repair_world(api)
    data = await api.gql("""mutation($id: ID!) { repairCategoryUpdate(id: $id, input: {isActive: false}) {
        category { isActive } errors { code } } }""", {"id": w.categories["门窗"]}, token=w.tokens["manager"])
    assert data["repairCategoryUpdate"]["category"]["isActive"] is False
    # when / then
    assert codes(await create(api, w, categoryId=w.categories["门窗"])) == [("categoryId", "NOT_FOUND")]
    names = [c["name"] for c in (await api.gql(s.CATEGORIES, {"communityId": w.community_id},
                                              token=w.tokens["owner"]))["repairCategories"]]
    assert names == ["水电", "电梯", "公共设施", "其他"]


async def test_a_retry_with_the_same_key_returns_the_same_ticket(api):
    # given
    w = await repair_world(api)
    first = await create(api, w, idempotencyKey="tap-1")
    # when
    again = await create(api, w, idempotencyKey="tap-1", description="Different words on the retry")
    # then
    assert again["errors"] == [] and again["ticket"]["id"] == first["ticket"]["id"]
    assert await Ticket.all().count() == 1
    # another owner may use the same key for their own ticket
    _, token, unit = await second_owner(w)
    theirs = await create(api, w, token=token, unitId=encode_id("Unit", unit.id), idempotencyKey="tap-1")
    assert theirs["errors"] == [] and theirs["ticket"]["id"] != first["ticket"]["id"]


async def test_concurrent_retries_create_one_ticket(api):
    # given
    w = await repair_world(api)
    # when five copies of one request arrive at once
    results = await asyncio.gather(*[create(api, w, idempotencyKey="burst") for _ in range(5)])
    # then
    assert all(r["errors"] == [] for r in results), results
    assert len({r["ticket"]["id"] for r in results}) == 1
    assert await Ticket.filter(idempotency_key="burst").count() == 1
    data = await api.gql(s.NODE, {"id": results[0]["ticket"]["id"]}, token=w.tokens["owner"])
    assert [e["kind"] for e in data["node"]["timeline"]] == ["CREATED"]


async def test_owners_see_only_their_own_tickets(api):
    # given two owners of the same community with a ticket each
    w = await repair_world(api)
    mine = (await create(api, w))["ticket"]["id"]
    _, token_b, unit_b = await second_owner(w)
    theirs = (await create(api, w, token=token_b, unitId=encode_id("Unit", unit_b.id)))["ticket"]["id"]
    # when
    data = await api.gql(s.MINE, token=w.tokens["owner"])
    node = await api.raw(s.NODE, {"id": theirs}, token=w.tokens["owner"])
    staff_list = await api.raw(s.LIST, token=w.tokens["owner"])
    # then
    assert [n["id"] for n in data["myTickets"]["nodes"]] == [mine] and data["myTickets"]["totalCount"] == 1
    assert node["data"]["node"] is None
    assert staff_list["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for mutation in (s.CANCEL, s.REOPEN):
        payload = await s.run(api, mutation, w.tokens["owner"], id=theirs)
        assert codes(payload) == [("id", "NOT_FOUND")]


async def test_my_tickets_filter_by_status(api):
    # given
    w = await repair_world(api)
    submitted = await ticket_in(api, w, "SUBMITTED")
    cancelled = await ticket_in(api, w, "CANCELLED")
    # when
    data = await api.gql(s.MINE, {"status": ["CANCELLED"]}, token=w.tokens["owner"])
    everything = await api.gql(s.MINE, token=w.tokens["owner"])
    # then
    assert [n["id"] for n in data["myTickets"]["nodes"]] == [cancelled]
    assert [n["id"] for n in everything["myTickets"]["nodes"]] == [cancelled, submitted]


@pytest.mark.parametrize(("status", "visible"), [
    ("ACCEPTED", False), ("ASSIGNED", True), ("IN_PROGRESS", True), ("COMPLETED", True), ("RATED", False),
    ("CLOSED", False),
])
async def test_owner_sees_the_technicians_name_and_full_phone_only_while_the_work_is_on(api, status, visible):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, status)
    # when
    owner = await api.gql(s.NODE, {"id": tid}, token=w.tokens["owner"])
    staff = await api.gql(s.NODE, {"id": tid}, token=w.tokens["manager"])
    # then
    contact = owner["node"]["technician"]
    if visible:
        assert contact == {"name": "Tech A1", "phone": open_phone(w.techs[0].phone_enc, w.techs[0].phone_hash), "staffMemberId": None}
    else:
        assert contact is None
    if status != "ACCEPTED":
        assert staff["node"]["technician"]["staffMemberId"] == w.tech_id(0)
