"""Communities, buildings and units: CRUD, validation, lists, and who may do what."""

from __future__ import annotations

from backend.core.ids import encode_id
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_staff,
    make_unit,
    make_user,
    make_world,
    token_for,
)

COMMUNITY_CREATE = """
mutation($input: CommunityInput!) {
  communityCreate(input: $input) { community { __typename id name address timezone } errors { field code } }
}"""
COMMUNITY_UPDATE = """
mutation($id: ID!, $input: CommunityInput!) {
  communityUpdate(id: $id, input: $input) { community { id name address timezone } errors { field code } }
}"""
COMMUNITY_DELETE = "mutation($id: ID!) { communityDelete(id: $id) { deletedId errors { field code } } }"
BUILDING_CREATE = """
mutation($communityId: ID!, $input: BuildingInput!) {
  buildingCreate(communityId: $communityId, input: $input) {
    building { __typename id name floors unitCount community { id } } errors { field code }
  }
}"""
BUILDING_UPDATE = """
mutation($id: ID!, $input: BuildingInput!) {
  buildingUpdate(id: $id, input: $input) { building { id name floors } errors { field code } }
}"""
BUILDING_DELETE = "mutation($id: ID!) { buildingDelete(id: $id) { deletedId errors { field code } } }"
UNIT_CREATE = """
mutation($buildingId: ID!, $input: UnitInput!) {
  unitCreate(buildingId: $buildingId, input: $input) {
    unit { __typename id number floor area type building { id } community { id } } errors { field code }
  }
}"""
UNIT_UPDATE = """
mutation($id: ID!, $input: UnitInput!) {
  unitUpdate(id: $id, input: $input) { unit { id number floor area type } errors { field code } }
}"""
UNIT_DELETE = "mutation($id: ID!) { unitDelete(id: $id) { deletedId errors { field code } } }"
UNIT_BULK = """
mutation($input: UnitBulkInput!) { unitBulkCreate(input: $input) { createdCount errors { field code } } }"""
UNITS = """
query($filter: UnitFilter, $first: Int, $after: String) {
  units(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number floor type } }
  }
}"""
COMMUNITIES = "query($search: String) { communities(search: $search) { totalCount nodes { id name unitCount } } }"
BUILDINGS = """
query($communityId: ID, $search: String) {
  buildings(communityId: $communityId, search: $search) { totalCount nodes { id name unitCount } }
}"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


def gid(type_name: str, obj) -> str:  # noqa: ANN001 - any model row
    return encode_id(type_name, obj.id)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def unit_input(number: str = "1201", floor: int = 12, area: str = "88.50", type_: str = "RESIDENTIAL") -> dict:
    return {"number": number, "floor": floor, "area": area, "type": type_}


# --- communities -----------------------------------------------------------------------------------------------


async def test_admin_creates_updates_and_deletes_a_community(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    # when
    created = (await api.gql(COMMUNITY_CREATE, {"input": {"name": " Lakeside ", "address": "1 Lake Rd"}},
                             token=token))["communityCreate"]
    # then
    assert created["errors"] == []
    community = created["community"]
    assert community["__typename"] == "Community"
    assert (community["name"], community["address"], community["timezone"]) == ("Lakeside", "1 Lake Rd", "Asia/Shanghai")
    listed = (await api.gql(COMMUNITIES, {"search": "lake"}, token=token))["communities"]
    assert [n["id"] for n in listed["nodes"]] == [community["id"]]
    # update
    updated = (await api.gql(COMMUNITY_UPDATE, {"id": community["id"], "input": {
        "name": "Lakeside East", "timezone": "Asia/Urumqi"}}, token=token))["communityUpdate"]
    assert updated["errors"] == []
    assert (updated["community"]["name"], updated["community"]["timezone"]) == ("Lakeside East", "Asia/Urumqi")
    # delete
    deleted = (await api.gql(COMMUNITY_DELETE, {"id": community["id"]}, token=token))["communityDelete"]
    assert deleted == {"deletedId": community["id"], "errors": []}
    assert (await api.gql(NODE, {"id": community["id"]}, token=token))["node"] is None


async def test_community_input_is_validated(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    cases = [
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": "x" * 101}, "name", "TOO_LONG"),
        ({"name": "Ok", "address": "a" * 256}, "address", "TOO_LONG"),
        ({"name": "Ok", "timezone": "Mars/Olympus"}, "timezone", "INVALID"),
        ({"name": w.community.name}, "name", "DUPLICATE"),
    ]
    for data_in, field, code in cases:
        payload = (await api.gql(COMMUNITY_CREATE, {"input": data_in}, token=token))["communityCreate"]
        assert payload["community"] is None
        assert payload["errors"] == [{"field": field, "code": code}], data_in
    assert (await api.gql(COMMUNITIES, {}, token=token))["communities"]["totalCount"] == 1


async def test_community_with_buildings_cannot_be_deleted(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    payload = (await api.gql(COMMUNITY_DELETE, {"id": gid("Community", w.community)}, token=token))["communityDelete"]
    assert payload == {"deletedId": None, "errors": [{"field": "id", "code": "IN_USE"}]}


async def test_another_companys_community_is_not_found(api):
    a = await make_world("A")
    b = await make_world("B")
    token = await token_for(b.admin)
    payload = (await api.gql(COMMUNITY_UPDATE, {"id": gid("Community", a.community), "input": {"name": "Mine"}},
                             token=token))["communityUpdate"]
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    payload = (await api.gql(BUILDING_CREATE, {"communityId": gid("Community", a.community), "input": {"name": "X"}},
                             token=token))["buildingCreate"]
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    listed = (await api.gql(COMMUNITIES, {}, token=token))["communities"]
    assert [n["id"] for n in listed["nodes"]] == [gid("Community", b.community)]


# --- buildings -------------------------------------------------------------------------------------------------


async def test_buildings_are_created_renamed_and_deleted(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    other = await make_community(w.company, "Second")
    # when
    payload = (await api.gql(BUILDING_CREATE, {"communityId": gid("Community", w.community),
                                                "input": {"name": "Tower 9", "floors": 30}}, token=token))["buildingCreate"]
    # then
    assert payload["errors"] == []
    building = payload["building"]
    assert building["__typename"] == "Building"
    assert (building["name"], building["floors"], building["unitCount"]) == ("Tower 9", 30, 0)
    assert building["community"]["id"] == gid("Community", w.community)
    # the same name is taken in that community, free in another
    dup = (await api.gql(BUILDING_CREATE, {"communityId": gid("Community", w.community),
                                            "input": {"name": "Tower 9"}}, token=token))["buildingCreate"]
    assert dup["errors"] == [{"field": "name", "code": "DUPLICATE"}]
    elsewhere = (await api.gql(BUILDING_CREATE, {"communityId": gid("Community", other),
                                                  "input": {"name": "Tower 9"}}, token=token))["buildingCreate"]
    assert elsewhere["errors"] == []
    # floors out of range
    bad = (await api.gql(BUILDING_UPDATE, {"id": building["id"], "input": {"name": "Tower 9", "floors": 201}},
                         token=token))["buildingUpdate"]
    assert bad["errors"] == [{"field": "floors", "code": "INVALID"}]
    renamed = (await api.gql(BUILDING_UPDATE, {"id": building["id"], "input": {"name": "Tower 10"}},
                             token=token))["buildingUpdate"]
    assert renamed["building"] == {"id": building["id"], "name": "Tower 10", "floors": 30}
    # delete: an empty building goes, one with units stays
    deleted = (await api.gql(BUILDING_DELETE, {"id": building["id"]}, token=token))["buildingDelete"]
    assert deleted == {"deletedId": building["id"], "errors": []}
    in_use = (await api.gql(BUILDING_DELETE, {"id": gid("Building", w.building)}, token=token))["buildingDelete"]
    assert in_use["errors"] == [{"field": "id", "code": "IN_USE"}]


async def test_buildings_filter_by_community_and_search(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    second = await make_community(w.company, "Second")
    await make_building(second, "North Tower")
    await make_building(second, "South Tower")
    await make_building(w.community, "North Annex")
    in_second = (await api.gql(BUILDINGS, {"communityId": gid("Community", second)}, token=token))["buildings"]
    assert sorted(n["name"] for n in in_second["nodes"]) == ["North Tower", "South Tower"]
    assert in_second["totalCount"] == 2
    north = (await api.gql(BUILDINGS, {"search": "north"}, token=token))["buildings"]
    assert sorted(n["name"] for n in north["nodes"]) == ["North Annex", "North Tower"]
    assert codes(await api.raw(BUILDINGS, {"search": "x" * 51}, token=token)) == ["TOO_LONG"]
    assert codes(await api.raw(BUILDINGS, {"communityId": gid("Unit", w.unit)}, token=token)) == ["INVALID_ID"]


# --- units -----------------------------------------------------------------------------------------------------


async def test_unit_is_created_updated_and_deleted(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    building_id = gid("Building", w.building)
    # when
    payload = (await api.gql(UNIT_CREATE, {"buildingId": building_id, "input": unit_input("12-01", 12, "88.456")},
                             token=token))["unitCreate"]
    # then
    assert payload["errors"] == []
    unit = payload["unit"]
    assert unit["__typename"] == "Unit"
    assert (unit["number"], unit["floor"], unit["area"], unit["type"]) == ("12-01", 12, "88.46", "RESIDENTIAL")
    assert unit["building"]["id"] == building_id
    assert unit["community"]["id"] == gid("Community", w.community)
    # update
    updated = (await api.gql(UNIT_UPDATE, {"id": unit["id"], "input": unit_input("B1-01", -1, "12", "PARKING")},
                             token=token))["unitUpdate"]
    assert updated == {"unit": {"id": unit["id"], "number": "B1-01", "floor": -1, "area": "12.00", "type": "PARKING"},
                       "errors": []}
    # delete
    deleted = (await api.gql(UNIT_DELETE, {"id": unit["id"]}, token=token))["unitDelete"]
    assert deleted == {"deletedId": unit["id"], "errors": []}
    assert (await api.gql(NODE, {"id": unit["id"]}, token=token))["node"] is None


async def test_unit_number_floor_and_area_are_validated(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    building_id = gid("Building", w.building)
    cases = [
        (unit_input(number="   "), "number", "REQUIRED"),
        (unit_input(number="1" * 21), "number", "TOO_LONG"),
        (unit_input(number="12 01"), "number", "INVALID"),
        (unit_input(number="12#01"), "number", "INVALID"),
        (unit_input(number="１２０１"), "number", "INVALID"),
        (unit_input(floor=201), "floor", "INVALID"),
        (unit_input(floor=-11), "floor", "INVALID"),
        (unit_input(area="0"), "area", "INVALID"),
        (unit_input(area="-5"), "area", "INVALID"),
        (unit_input(area="100000"), "area", "INVALID"),
        (unit_input(number="101"), "number", "DUPLICATE"),
    ]
    for data_in, field, code in cases:
        payload = (await api.gql(UNIT_CREATE, {"buildingId": building_id, "input": data_in}, token=token))["unitCreate"]
        assert payload["unit"] is None
        assert payload["errors"] == [{"field": field, "code": code}], data_in
    # renaming a unit to a number its building already has is a duplicate too
    other = await make_unit(w.building, "102")
    clash = (await api.gql(UNIT_UPDATE, {"id": gid("Unit", other), "input": unit_input("101", 1)},
                           token=token))["unitUpdate"]
    assert clash["errors"] == [{"field": "number", "code": "DUPLICATE"}]
    # the same number in another building is fine
    second = await make_building(w.community, "Second")
    ok = (await api.gql(UNIT_CREATE, {"buildingId": gid("Building", second), "input": unit_input("101", 1)},
                        token=token))["unitCreate"]
    assert ok["errors"] == []


async def test_unit_with_residents_cannot_be_deleted(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    payload = (await api.gql(UNIT_DELETE, {"id": gid("Unit", w.unit)}, token=token))["unitDelete"]
    assert payload == {"deletedId": None, "errors": [{"field": "id", "code": "IN_USE"}]}


async def test_unit_bulk_create_numbers_floors_and_refuses_overlaps(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    building = await make_building(w.community, "Bulk")
    base = {"buildingId": gid("Building", building), "area": "90.5", "type": "RESIDENTIAL"}
    # when
    payload = (await api.gql(UNIT_BULK, {"input": {**base, "floorFrom": 11, "floorTo": 13, "perFloor": 4}},
                             token=token))["unitBulkCreate"]
    # then
    assert payload == {"createdCount": 12, "errors": []}
    units = (await api.gql(UNITS, {"filter": {"buildingId": gid("Building", building)}, "first": 50},
                           token=token))["units"]
    numbers = [e["node"]["number"] for e in units["edges"]]
    assert numbers == [f"{f}{i:02d}" for f in (11, 12, 13) for i in (1, 2, 3, 4)]
    assert {e["node"]["floor"] for e in units["edges"]} == {11, 12, 13}
    floors = await api.gql("query($id: ID!) { node(id: $id) { ... on Building { floors unitCount } } }",
                           {"id": gid("Building", building)}, token=token)
    assert floors["node"] == {"floors": 13, "unitCount": 12}
    # overlapping numbers are refused and nothing is created
    overlap = (await api.gql(UNIT_BULK, {"input": {**base, "floorFrom": 13, "floorTo": 14, "perFloor": 2}},
                             token=token))["unitBulkCreate"]
    assert overlap == {"createdCount": None, "errors": [{"field": "floorFrom", "code": "DUPLICATE"}]}
    # bounds
    bad = [
        ({"floorFrom": 5, "floorTo": 4, "perFloor": 1}, "floorFrom", "INVALID"),
        ({"floorFrom": 0, "floorTo": 4, "perFloor": 1}, "floorFrom", "INVALID"),
        ({"floorFrom": 1, "floorTo": 201, "perFloor": 1}, "floorFrom", "INVALID"),
        ({"floorFrom": 20, "floorTo": 20, "perFloor": 100}, "perFloor", "INVALID"),
        ({"floorFrom": 20, "floorTo": 41, "perFloor": 99}, "perFloor", "TOO_LONG"),
        ({"floorFrom": 20, "floorTo": 20, "perFloor": 1, "area": "0"}, "area", "INVALID"),
    ]
    for extra, field, code in bad:
        result = (await api.gql(UNIT_BULK, {"input": {**base, **extra}}, token=token))["unitBulkCreate"]
        assert result["errors"] == [{"field": field, "code": code}], extra
    total = (await api.gql(UNITS, {"filter": {"buildingId": gid("Building", building)}}, token=token))["units"]
    assert total["totalCount"] == 12


async def test_units_filter_by_building_community_number_floor_and_type(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    tower = await make_building(w.community, "Tower")
    for number, floor in (("201", 2), ("202", 2), ("301", 3)):
        await make_unit(tower, number, floor)
    second = await make_community(w.company, "Second")
    far = await make_building(second, "Far")
    await make_unit(far, "2001", 20)
    await api.gql(UNIT_CREATE, {"buildingId": gid("Building", far), "input": unit_input("P-1", -1, "12", "PARKING")},
                  token=token)

    async def numbers(filter_: dict) -> list[str]:
        data = (await api.gql(UNITS, {"filter": filter_}, token=token))["units"]
        assert data["totalCount"] == len(data["edges"])
        return sorted(e["node"]["number"] for e in data["edges"])

    # when / then
    assert await numbers({"buildingId": gid("Building", tower)}) == ["201", "202", "301"]
    assert await numbers({"communityId": gid("Community", second)}) == ["2001", "P-1"]
    assert await numbers({"search": "20"}) == ["2001", "201", "202"]
    assert await numbers({"floor": 2}) == ["201", "202"]
    assert await numbers({"type": "PARKING"}) == ["P-1"]
    assert await numbers({"buildingId": gid("Building", tower), "floor": 3}) == ["301"]
    assert codes(await api.raw(UNITS, {"filter": {"search": "1" * 21}}, token=token)) == ["TOO_LONG"]


async def test_units_page_with_cursors_and_refuse_large_pages(api):
    # given: 12 units
    w = await make_world("A")
    token = await token_for(w.admin)
    await api.gql(UNIT_BULK, {"input": {"buildingId": gid("Building", w.building), "floorFrom": 2, "floorTo": 4,
                                        "perFloor": 4, "area": "80"}}, token=token)
    # when: pages of 5
    first = (await api.gql(UNITS, {"first": 5}, token=token))["units"]
    second = (await api.gql(UNITS, {"first": 5, "after": first["pageInfo"]["endCursor"]}, token=token))["units"]
    third = (await api.gql(UNITS, {"first": 5, "after": second["pageInfo"]["endCursor"]}, token=token))["units"]
    # then
    assert [p["totalCount"] for p in (first, second, third)] == [13, 13, 13]
    assert [len(p["edges"]) for p in (first, second, third)] == [5, 5, 3]
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [False, True, True]
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    ids = [e["node"]["id"] for p in (first, second, third) for e in p["edges"]]
    assert len(set(ids)) == 13
    # first: 100 is the cap; 101, negatives and malformed cursors are refused
    assert len((await api.gql(UNITS, {"first": 100}, token=token))["units"]["edges"]) == 13
    assert codes(await api.raw(UNITS, {"first": 101}, token=token)) == ["INVALID"]
    assert codes(await api.raw(UNITS, {"first": -1}, token=token)) == ["INVALID"]
    assert codes(await api.raw(UNITS, {"after": "garbage!"}, token=token)) == ["INVALID"]
    assert codes(await api.raw("{ communities(first: 101) { totalCount } }", token=token)) == ["INVALID"]
    assert codes(await api.raw("{ buildings(first: 1000) { totalCount } }", token=token)) == ["INVALID"]
    empty = (await api.gql(UNITS, {"first": 0}, token=token))["units"]
    assert (empty["edges"], empty["totalCount"]) == ([], 13)


# --- permissions -----------------------------------------------------------------------------------------------


async def test_technician_reads_units_but_cannot_create_them(api):
    w = await make_world("A")
    token = await token_for(await make_staff(w.company, "technician"))
    assert (await api.gql(UNITS, {}, token=token))["units"]["totalCount"] == 1
    payload = (await api.gql(UNIT_CREATE, {"buildingId": gid("Building", w.building), "input": unit_input()},
                             token=token))["unitCreate"]
    assert payload["unit"] is None
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    bulk = (await api.gql(UNIT_BULK, {"input": {"buildingId": gid("Building", w.building), "floorFrom": 2,
                                                "floorTo": 2, "perFloor": 1, "area": "80"}}, token=token))
    assert bulk["unitBulkCreate"]["errors"][0]["code"] == "FORBIDDEN"
    community = (await api.gql(COMMUNITY_CREATE, {"input": {"name": "Nope"}}, token=token))["communityCreate"]
    assert community["errors"][0]["code"] == "FORBIDDEN"


async def test_finance_cannot_change_or_delete_units(api):
    w = await make_world("A")
    spare = await make_unit(w.building, "909", 9)
    token = await token_for(await make_staff(w.company, "finance"))
    payload = (await api.gql(UNIT_UPDATE, {"id": gid("Unit", w.unit), "input": unit_input("101", 1, "99")},
                             token=token))["unitUpdate"]
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    deleted = (await api.gql(UNIT_DELETE, {"id": gid("Unit", spare)}, token=token))["unitDelete"]
    assert deleted["errors"][0]["code"] == "FORBIDDEN"
    building = (await api.gql(BUILDING_UPDATE, {"id": gid("Building", w.building), "input": {"name": "Renamed"}},
                              token=token))["buildingUpdate"]
    assert building["errors"][0]["code"] == "FORBIDDEN"
    # nothing changed
    unit = await api.gql("query($id: ID!) { node(id: $id) { ... on Unit { area } } }", {"id": gid("Unit", w.unit)},
                         token=token)
    assert unit["node"]["area"] == "88.00"


async def test_guard_and_owner_cannot_list_units(api):
    w = await make_world("A")
    guard = await token_for(await make_staff(w.company, "guard"))
    assert codes(await api.raw(UNITS, {}, token=guard)) == ["FORBIDDEN"]
    owner = await token_for(w.owner)
    assert codes(await api.raw(UNITS, {}, token=owner)) == ["FORBIDDEN"]
    assert codes(await api.raw(UNITS, {})) == ["UNAUTHENTICATED"]
    # the owner still reaches their own unit by id
    mine = await api.gql(NODE, {"id": gid("Unit", w.unit)}, token=owner)
    assert mine["node"] == {"__typename": "Unit", "id": gid("Unit", w.unit)}


async def test_community_limited_staff_only_see_and_change_their_community(api):
    # given: a manager limited to the world's community, and a second community with its own units
    w = await make_world("A")
    second = await make_community(w.company, "Second")
    far_building = await make_building(second, "Far")
    far_unit = await make_unit(far_building, "808", 8)
    resident = await make_user("Far resident")
    await bind(resident, far_unit)
    token = await token_for(await make_staff(w.company, "community_manager", community=w.community))
    # when / then: lists hold only their community
    communities = (await api.gql(COMMUNITIES, {}, token=token))["communities"]
    assert [n["id"] for n in communities["nodes"]] == [gid("Community", w.community)]
    buildings = (await api.gql(BUILDINGS, {}, token=token))["buildings"]
    assert [n["id"] for n in buildings["nodes"]] == [gid("Building", w.building)]
    units = (await api.gql(UNITS, {}, token=token))["units"]
    assert [e["node"]["id"] for e in units["edges"]] == [gid("Unit", w.unit)]
    filtered = (await api.gql(UNITS, {"filter": {"communityId": gid("Community", second)}}, token=token))["units"]
    assert filtered["totalCount"] == 0
    # node() obeys the same scope
    assert (await api.gql(NODE, {"id": gid("Unit", far_unit)}, token=token))["node"] is None
    assert (await api.gql(NODE, {"id": gid("Community", second)}, token=token))["node"] is None
    # writes outside their community are not found; inside they work
    far = (await api.gql(UNIT_UPDATE, {"id": gid("Unit", far_unit), "input": unit_input("808", 8)},
                         token=token))["unitUpdate"]
    assert far["errors"][0]["code"] == "NOT_FOUND"
    near = (await api.gql(UNIT_CREATE, {"buildingId": gid("Building", w.building), "input": unit_input("102", 1)},
                          token=token))["unitCreate"]
    assert near["errors"] == []
    # and they cannot add communities, which would be company-wide
    created = (await api.gql(COMMUNITY_CREATE, {"input": {"name": "Third"}}, token=token))["communityCreate"]
    assert created["errors"][0]["code"] == "FORBIDDEN"
