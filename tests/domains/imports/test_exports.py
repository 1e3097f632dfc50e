"""Excel exports of the lists: the same scope, filters and phone masking as the GraphQL lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.core.ids import encode_id
from backend.domains.residents.models import BindingStatus, Relation
from backend.domains.tenancy.models import Community, Unit, UnitType
from tests.domains.imports.support import read_xlsx
from tests.domains.repairs import support as repairs
from tests.domains.repairs.support import other_community, repair_world, ticket_in
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_platform_admin,
    make_staff,
    make_unit,
    make_user,
    make_world,
    token_for,
)

LISTS = ["units", "owners", "bindings", "staffMembers", "auditLogs", "communities", "buildings", "tickets"]


async def export(api, name: str, token: str | None, **params: str):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await api.client.get(f"/api/export/{name}.xlsx", params=params, headers=headers)


def table(resp) -> list[list]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    return next(iter(read_xlsx(resp.content).values()))


def code(resp) -> str:
    return resp.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize("name", LISTS)
async def test_every_list_exports_with_a_bilingual_header(api, name):
    w = await make_world("A")
    token = await token_for(w.admin)
    await api.gql("mutation($id: ID!) { communityUpdate(id: $id, input: {name: \"新名\"}) { errors { code } } }",
                  {"id": encode_id("Community", w.community.id)}, token=token)  # an audit row
    if name == "tickets":
        owner = await token_for(w.owner)
        cats = await api.gql(repairs.CATEGORIES, {"communityId": encode_id("Community", w.community.id)}, token=owner)
        created = await api.gql(repairs.CREATE, {"input": {
            "unitId": encode_id("Unit", w.unit.id), "categoryId": cats["repairCategories"][0]["id"],
            "description": "漏水", "idempotencyKey": "export-1"}}, token=owner)
        assert created["ticketCreate"]["errors"] == []
    rows = table(await export(api, name, token))
    assert all(" " in h for h in rows[0])  # "中文 English"
    assert len(rows) >= 2, rows  # world A has one of everything


async def test_units_export_applies_filters_and_never_shows_another_company(api):
    a, b = await make_world("A"), await make_world("B")
    token = await token_for(a.admin)
    other_building = await make_building(a.community, "2栋")
    shop = await make_unit(other_building, "S1", floor=1)
    shop.type = UnitType.COMMERCIAL
    await shop.save()
    await make_unit(other_building, "202", floor=2)
    # Without filters: A's three units, none of B's
    all_rows = table(await export(api, "units", token))
    assert sorted(r[2] for r in all_rows[1:]) == ["101", "202", "S1"]
    # Filtered like the GraphQL list: by building, floor, type (GraphQL name or value), search
    by_building = table(await export(api, "units", token, buildingId=encode_id("Building", other_building.id)))
    assert sorted(r[2] for r in by_building[1:]) == ["202", "S1"]
    assert [r[2] for r in table(await export(api, "units", token, type="COMMERCIAL"))[1:]] == ["S1"]
    assert [r[2] for r in table(await export(api, "units", token, floor="2"))[1:]] == ["202"]
    assert [r[2] for r in table(await export(api, "units", token, search="10"))[1:]] == ["101"]
    # Another company's building as a filter gives nothing
    assert table(await export(api, "units", token, buildingId=encode_id("Building", b.building.id)))[1:] == []
    # A bad ID or value is refused with the API's codes
    resp = await export(api, "units", token, buildingId="nope")
    assert resp.status_code == 400 and code(resp) == "INVALID_ID"
    resp = await export(api, "units", token, type="castle")
    assert resp.status_code == 400 and code(resp) == "INVALID"


async def test_community_scoped_staff_export_only_their_communities(api):
    w = await make_world("A")
    other = await make_community(w.company, "北区")
    await make_unit(await make_building(other, "1栋"), "909")
    tech = await token_for(await make_staff(w.company, "technician", community=w.community))
    rows = table(await export(api, "units", tech))
    assert [r[2] for r in rows[1:]] == ["101"]
    assert [r[0] for r in table(await export(api, "communities", tech))[1:]] == [w.community.name]
    # No permission for the list: refused like the GraphQL list
    resp = await export(api, "owners", tech)
    assert resp.status_code == 403 and code(resp) == "FORBIDDEN"


async def test_exports_need_a_valid_bearer_token(api):
    w = await make_world("A")
    resp = await export(api, "units", None)
    assert resp.status_code == 401 and code(resp) == "UNAUTHENTICATED"
    resp = await export(api, "units", "garbage")
    assert resp.status_code == 401 and code(resp) == "TOKEN_INVALID"
    owner = await token_for(w.owner)
    resp = await export(api, "units", owner)
    assert resp.status_code == 403 and code(resp) == "FORBIDDEN"
    resp = await export(api, "payments", await token_for(w.admin))
    assert resp.status_code == 404 and code(resp) == "NOT_FOUND"


async def test_phones_are_masked_unless_the_caller_may_see_them(api):
    w = await make_world("A")
    person = await make_user("钱七", phone="13811112222")
    await bind(person, w.unit, Relation.FAMILY)
    finance = await token_for(await make_staff(w.company, "finance"))  # owner.read without owner.phone
    service = await token_for(await make_staff(w.company, "customer_service"))  # owner.phone
    masked = {r[0]: r[1] for r in table(await export(api, "owners", finance))[1:]}
    full = {r[0]: r[1] for r in table(await export(api, "owners", service))[1:]}
    assert masked["钱七"] == "138****2222" and full["钱七"] == "13811112222"
    rows = table(await export(api, "owners", service, phone="138 1111 2222"))
    assert [r[0] for r in rows[1:]] == ["钱七"] and "家属 family" in rows[1][2]


async def test_bindings_export_filters_by_status(api):
    w = await make_world("A")
    await bind(await make_user("申请人"), w.unit, Relation.OWNER, BindingStatus.PENDING)
    token = await token_for(w.admin)
    pending = table(await export(api, "bindings", token, status="PENDING"))
    assert [(r[3], r[6]) for r in pending[1:]] == [("申请人", "待审核 pending")]
    assert len(table(await export(api, "bindings", token))) == 3


async def test_companies_export_is_for_the_platform(api):
    w = await make_world("A")
    await make_world("B")
    resp = await export(api, "companies", await token_for(w.admin))
    assert resp.status_code == 403 and code(resp) == "FORBIDDEN"
    rows = table(await export(api, "companies", await token_for(await make_platform_admin()), search="Company A"))
    assert [r[0] for r in rows[1:]] == [w.company.name]


async def test_audit_export_filters_by_action(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    await api.gql("mutation($id: ID!) { communityUpdate(id: $id, input: {name: \"新名\"}) { errors { code } } }",
                  {"id": encode_id("Community", w.community.id)}, token=token)
    rows = table(await export(api, "auditLogs", token, action="community."))
    assert [r[2] for r in rows[1:]] == ["community.update"]
    assert table(await export(api, "auditLogs", token, action="unit."))[1:] == []


async def test_tickets_export_uses_the_list_filters_and_scope(api):
    # given tickets in several states, one public-area ticket and a ticket of another community
    w = await repair_world(api)
    submitted = await ticket_in(api, w, "SUBMITTED")
    assigned = await ticket_in(api, w, "ASSIGNED")
    rated = await ticket_in(api, w, "RATED")
    public = await repairs.create(api, w, unitId=None, communityId=w.community_id, publicArea="3号楼电梯",
                                  urgency="URGENT", categoryId=w.categories["电梯"])
    assert public["errors"] == [], public
    community, _ = await other_community(w)
    elsewhere = await token_for(await make_staff(w.company, "community_manager", community))
    number = {tid: (await api.gql(repairs.NODE, {"id": tid}, token=w.tokens["manager"]))["node"]["number"]
              for tid in (submitted, assigned, rated, public["ticket"]["id"])}
    token = w.tokens["manager"]
    # when exported without filters: every ticket of the community, newest first, with readable columns
    rows = table(await export(api, "tickets", token))
    assert rows[0][0] == "编号 Number" and len(rows[0]) == 15
    assert [r[0] for r in rows[1:]] == [number[public["ticket"]["id"]], number[rated], number[assigned],
                                        number[submitted]]
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[number[public["ticket"]["id"]]][1:6] == [
        "待受理 submitted", "紧急 urgent", w.community.name, "3号楼电梯", "电梯"]
    assert by_number[number[assigned]][8] == w.techs[0].name
    assert by_number[number[rated]][14] == "5/4/5" and by_number[number[rated]][13]
    assert by_number[number[submitted]][12] == "否 no"
    # then the same filters as the GraphQL list
    only = table(await export(api, "tickets", token, status="ASSIGNED,RATED"))
    assert sorted(r[0] for r in only[1:]) == sorted([number[assigned], number[rated]])
    assert [r[0] for r in table(await export(api, "tickets", token, urgency="URGENT"))[1:]] == [
        number[public["ticket"]["id"]]]
    assert [r[0] for r in table(await export(api, "tickets", token, technicianId=w.tech_id(0),
                                            status="ASSIGNED"))[1:]] == [number[assigned]]
    assert [r[0] for r in table(await export(api, "tickets", token, search=number[rated]))[1:]] == [number[rated]]
    assert [r[0] for r in table(await export(api, "tickets", token, categoryId=w.categories["电梯"]))[1:]] == [
        number[public["ticket"]["id"]]]
    assert table(await export(api, "tickets", token, overdue="true"))[1:] == []
    # and staff of another community see none of them; bad values get the API's codes
    assert table(await export(api, "tickets", elsewhere))[1:] == []
    resp = await export(api, "tickets", token, status="SUBMITTED,FIXED")
    assert resp.status_code == 400 and code(resp) == "INVALID"
    resp = await export(api, "tickets", await token_for(w.owner))
    assert resp.status_code == 403 and code(resp) == "FORBIDDEN"


async def test_times_are_written_in_the_communitys_time_zone_with_their_offset(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    await Unit.filter(id=w.unit.id).update(created_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC))
    # the demo default: Asia/Shanghai, UTC+8, so the evening in UTC is the next morning
    assert table(await export(api, "units", token))[1][-1] == "2026-03-02 04:30:00+08:00"
    # a community elsewhere: its own zone, whether it is the filter or the company's first community
    await Community.filter(id=w.community.id).update(timezone="Asia/Urumqi")
    community = encode_id("Community", w.community.id)
    assert table(await export(api, "units", token, communityId=community))[1][-1] == "2026-03-02 02:30:00+06:00"
    assert table(await export(api, "units", token))[1][-1] == "2026-03-02 02:30:00+06:00"
