"""Dashboard figures: correct counts, scoped to the caller, in a constant number of statements."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.residents.models import BindingStatus, Relation
from backend.domains.tenancy.models import UnitType
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
from tests.support.sqlcount import count_statements

DASHBOARD = """
query($c: ID) {
  dashboard(communityId: $c) {
    communityCount buildingCount unitCount occupiedUnitCount occupancyRate ownerCount residentCount
    pendingBindingCount unitsByType { type count }
  }
}"""


async def _typed(building, number: str, unit_type: UnitType):
    unit = await make_unit(building, number)
    unit.type = unit_type
    await unit.save()
    return unit


async def _estate():
    """World A (community 1: unit 101 with its owner) plus a second community and more residents."""
    w = await make_world("A")
    b2 = await make_building(w.community, "2栋")
    u102 = await make_unit(w.building, "102")
    shop = await _typed(b2, "S1", UnitType.COMMERCIAL)
    await _typed(b2, "P1", UnitType.PARKING)
    # The world's owner also owns the shop: one owner, two occupied units
    await bind(w.owner, shop, Relation.OWNER)
    tenant = await make_user("租户")
    await bind(tenant, u102, Relation.TENANT)
    await bind(await make_user("家属"), w.unit, Relation.FAMILY)
    await bind(await make_user("申请人"), u102, Relation.OWNER, BindingStatus.PENDING)
    await bind(await make_user("已拒绝"), shop, Relation.OWNER, BindingStatus.REJECTED)
    await bind(await make_user("已移除"), u102, Relation.OWNER, BindingStatus.REMOVED)
    east = await make_community(w.company, "东区")
    eb = await make_building(east, "E1")
    e1 = await make_unit(eb, "E101")
    await make_unit(eb, "E102")
    east_owner = await make_user("东区业主")
    await bind(east_owner, e1, Relation.OWNER)
    return w, east


async def test_figures_count_units_people_and_requests(api):
    w, east = await _estate()
    other = await make_world("B")  # never counted
    await bind(await make_user("B 申请"), other.unit, Relation.OWNER, BindingStatus.PENDING)
    token = await token_for(w.admin)
    d = (await api.gql(DASHBOARD, token=token))["dashboard"]
    assert {k: v for k, v in d.items() if k != "unitsByType"} == {
        "communityCount": 2, "buildingCount": 3, "unitCount": 6, "occupiedUnitCount": 4, "occupancyRate": round(4 / 6, 4),
        "ownerCount": 2, "residentCount": 4, "pendingBindingCount": 1,
    }
    assert d["unitsByType"] == [{"type": "RESIDENTIAL", "count": 4}, {"type": "COMMERCIAL", "count": 1},
                                {"type": "PARKING", "count": 1}]
    # One community only
    east_only = (await api.gql(DASHBOARD, {"c": encode_id("Community", east.id)}, token=token))["dashboard"]
    assert (east_only["communityCount"], east_only["buildingCount"], east_only["unitCount"],
            east_only["occupiedUnitCount"], east_only["occupancyRate"], east_only["ownerCount"],
            east_only["residentCount"], east_only["pendingBindingCount"]) == (1, 1, 2, 1, 0.5, 1, 1, 0)


async def test_an_empty_company_has_zero_figures(api):
    w = await make_world("A")
    c = await make_community(w.company, "空小区")
    token = await token_for(w.admin)
    d = (await api.gql(DASHBOARD, {"c": encode_id("Community", c.id)}, token=token))["dashboard"]
    assert d["unitCount"] == 0 and d["occupancyRate"] == 0.0 and all(t["count"] == 0 for t in d["unitsByType"])


async def test_community_scoped_staff_see_only_their_communities(api):
    w, east = await _estate()
    manager = await token_for(await make_staff(w.company, "community_manager", community=east))
    d = (await api.gql(DASHBOARD, token=manager))["dashboard"]
    assert (d["communityCount"], d["unitCount"], d["residentCount"]) == (1, 2, 1)
    body = await api.raw(DASHBOARD, {"c": encode_id("Community", w.community.id)}, token=manager)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_technicians_get_no_figures_about_people(api):
    w, east = await _estate()
    technician = await token_for(await make_staff(w.company, "technician", community=east))
    d = (await api.gql(DASHBOARD, token=technician))["dashboard"]
    assert d["unitCount"] == 2
    assert (d["ownerCount"], d["residentCount"], d["pendingBindingCount"]) == (None, None, None)


async def test_refusals(api):
    a, b = await make_world("A"), await make_world("B")
    token_b = await token_for(b.admin)
    foreign = await api.raw(DASHBOARD, {"c": encode_id("Community", a.community.id)}, token=token_b)
    assert foreign["data"] is None and foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    owner = await api.raw(DASHBOARD, token=await token_for(a.owner))
    assert owner["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.raw(DASHBOARD)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong_type = await api.raw(DASHBOARD, {"c": encode_id("Unit", a.unit.id)}, token=token_b)
    assert wrong_type["errors"][0]["extensions"]["code"] == "INVALID_ID"


async def test_statements_do_not_grow_with_the_data(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    with count_statements() as small:
        await api.gql(DASHBOARD, token=token)
    await _estate()
    for i in range(20):
        await bind(await make_user(f"r{i}"), await make_unit(w.building, f"9{i:02d}"), Relation.OWNER)
    with count_statements() as large:
        await api.gql(DASHBOARD, token=token)
    assert large.count == small.count
    print(f"\ndashboard: {large.count} statements (authentication included)")
