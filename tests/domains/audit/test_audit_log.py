"""Audit log: every staff mutation leaves a row; rows are filtered, redacted and kept per tenant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from backend.core.context import Context, Principal
from backend.core.ids import encode_id
from backend.domains.accounts.models import Role
from backend.domains.audit.service import record
from backend.domains.residents.models import BindingStatus, Relation
from tests.factories import (
    bind,
    make_platform_admin,
    make_staff,
    make_user,
    make_world,
    next_phone,
    token_for,
)

LOGS = """
query($filter: AuditFilter, $platform: Boolean! = false, $first: Int, $after: String) {
  auditLogs(filter: $filter, platform: $platform, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { __typename id action targetType targetId summary requestId createdAt actor { id name } }
  }
}"""


def gid(type_name: str, obj) -> str:  # noqa: ANN001 - any model row
    return encode_id(type_name, obj.id)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def logs(api, token: str, **variables: object) -> dict:  # noqa: ANN001 - the Api fixture
    return (await api.gql(LOGS, variables, token=token))["auditLogs"]


async def test_a_unit_create_is_recorded_with_actor_target_and_summary(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    # when
    created = await api.gql("""
        mutation($b: ID!) { unitCreate(buildingId: $b, input: {number: "1502", floor: 15, area: "99.5"}) {
          unit { id } errors { code } } }""", {"b": gid("Building", w.building)}, token=token)
    unit_id = created["unitCreate"]["unit"]["id"]
    # then
    page = await logs(api, token)
    assert page["totalCount"] == 1
    (row,) = page["nodes"]
    assert row["__typename"] == "AuditLog"
    assert (row["action"], row["targetType"], row["targetId"]) == ("unit.create", "Unit", unit_id)
    assert row["summary"] == {"number": "1502", "floor": 15, "area": "99.50", "type": "residential"}
    assert row["actor"] == {"id": gid("User", w.admin), "name": "Admin A"}
    assert row["requestId"]
    # the row is reachable by id as well
    node = await api.gql("query($id: ID!) { node(id: $id) { ... on AuditLog { action } } }", {"id": row["id"]},
                         token=token)
    assert node["node"] == {"action": "unit.create"}


async def test_every_staff_mutation_writes_one_row(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    pending = await bind(await make_user("P1"), w.unit, Relation.FAMILY, BindingStatus.PENDING)
    pending2 = await bind(await make_user("P2"), w.unit, Relation.TENANT, BindingStatus.PENDING)
    tech = encode_id("Role", (await Role.get(code="technician")).id)
    steps = [
        ("community.create", 'mutation { communityCreate(input: {name: "C2"}) { community { id } errors { code } } }', {}),
        ("building.create", 'mutation($c: ID!) { buildingCreate(communityId: $c, input: {name: "B2"}) '
                            '{ building { id } errors { code } } }', {"c": gid("Community", w.community)}),
        ("unit.bulkCreate", 'mutation($b: ID!) { unitBulkCreate(input: {buildingId: $b, floorFrom: 2, floorTo: 2, '
                            'perFloor: 2, area: "50"}) { createdCount errors { code } } }', {"b": gid("Building", w.building)}),
        ("unit.update", 'mutation($u: ID!) { unitUpdate(id: $u, input: {number: "101", floor: 1, area: "70"}) '
                        '{ unit { id } errors { code } } }', {"u": gid("Unit", w.unit)}),
        ("community.update", 'mutation($c: ID!) { communityUpdate(id: $c, input: {name: "Renamed"}) '
                             '{ community { id } errors { code } } }', {"c": gid("Community", w.community)}),
        ("building.update", 'mutation($b: ID!) { buildingUpdate(id: $b, input: {name: "Renamed"}) '
                            '{ building { id } errors { code } } }', {"b": gid("Building", w.building)}),
        ("staff.create", 'mutation($r: ID!, $p: String!) { staffCreate(input: {phone: $p, name: "New", '
                         'grants: [{roleId: $r}]}) { staffMember { id } errors { code } } }', {"r": tech, "p": next_phone()}),
        ("binding.approve", 'mutation($id: ID!) { bindingApprove(id: $id) { binding { id } errors { code } } }',
         {"id": gid("UnitBinding", pending)}),
        ("binding.reject", 'mutation($id: ID!) { bindingReject(id: $id, reason: "No lease") { binding { id } '
                           'errors { code } } }', {"id": gid("UnitBinding", pending2)}),
    ]
    # when / then: each mutation adds exactly its own row on top
    for i, (action, mutation, variables) in enumerate(steps, start=1):
        data = await api.gql(mutation, variables, token=token)
        assert next(iter(data.values()))["errors"] == [], action
        page = await logs(api, token, first=1)
        assert page["totalCount"] == i, action
        assert page["nodes"][0]["action"] == action
        assert page["nodes"][0]["actor"]["id"] == gid("User", w.admin)
    # the new staff member's update and the deletes are audited too
    staff_row = (await logs(api, token, filter={"action": "staff.create"}))["nodes"][0]
    await api.gql('mutation($id: ID!) { staffUpdate(id: $id, input: {title: "Night shift"}) { errors { code } } }',
                  {"id": staff_row["targetId"]}, token=token)
    c2 = (await logs(api, token, filter={"action": "community.create"}))["nodes"][0]["targetId"]
    await api.gql('mutation($id: ID!) { communityDelete(id: $id) { errors { code } } }', {"id": c2}, token=token)
    page = await logs(api, token, first=2)
    assert [n["action"] for n in page["nodes"]] == ["community.delete", "staff.update"]
    assert page["nodes"][1]["summary"]["title"] == "Night shift"
    assert page["totalCount"] == len(steps) + 2


async def test_a_refused_mutation_leaves_no_row(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    data = await api.gql('mutation($b: ID!) { unitCreate(buildingId: $b, input: {number: "101", floor: 1, area: "1"})'
                         ' { errors { code } } }', {"b": gid("Building", w.building)}, token=token)
    assert data["unitCreate"]["errors"] == [{"code": "DUPLICATE"}]
    assert (await logs(api, token))["totalCount"] == 0


async def _three_actions(api, w) -> tuple[str, str]:  # noqa: ANN001
    """An admin creates a community and a unit, a manager creates a building; returns (admin, manager) tokens."""
    admin = await token_for(w.admin)
    manager = await token_for(await make_staff(w.company, "community_manager", name="Manager"))
    await api.gql('mutation { communityCreate(input: {name: "North"}) { errors { code } } }', token=admin)
    await api.gql('mutation($b: ID!) { unitCreate(buildingId: $b, input: {number: "909", floor: 9, area: "60"}) '
                  '{ errors { code } } }', {"b": gid("Building", w.building)}, token=admin)
    await api.gql('mutation($c: ID!) { buildingCreate(communityId: $c, input: {name: "Annex"}) { errors { code } } }',
                  {"c": gid("Community", w.community)}, token=manager)
    return admin, manager


async def test_filters_by_action_prefix_actor_target_and_time(api):
    # given
    w = await make_world("A")
    admin, manager = await _three_actions(api, w)
    manager_id = (await api.gql("{ viewer { user { id } } }", token=manager))["viewer"]["user"]["id"]

    async def actions(**filter_: object) -> list[str]:
        page = await logs(api, admin, filter=filter_)
        assert page["totalCount"] == len(page["nodes"])
        return [n["action"] for n in page["nodes"]]

    # when / then: newest first
    assert await actions() == ["building.create", "unit.create", "community.create"]
    assert await actions(action="unit") == ["unit.create"]
    assert await actions(action="community.create") == ["community.create"]
    assert await actions(action="staff") == []
    assert await actions(actorId=manager_id) == ["building.create"]
    assert await actions(actorId=gid("User", w.admin)) == ["unit.create", "community.create"]
    assert await actions(targetType="Community") == ["community.create"]
    now = datetime.now(UTC)
    assert await actions(since=(now - timedelta(hours=1)).isoformat(), until=(now + timedelta(hours=1)).isoformat()) \
        == ["building.create", "unit.create", "community.create"]
    assert await actions(since=(now + timedelta(hours=1)).isoformat()) == []
    assert await actions(until=(now - timedelta(hours=1)).isoformat()) == []
    # until is exclusive: up to the newest row's time leaves that row out
    newest = (await logs(api, admin, first=1))["nodes"][0]
    assert "building.create" not in await actions(until=newest["createdAt"])
    assert await actions(since=newest["createdAt"]) == ["building.create"]
    # bad filters
    assert codes(await api.raw(LOGS, {"filter": {"actorId": gid("Unit", w.unit)}}, token=admin)) == ["INVALID_ID"]
    assert codes(await api.raw(LOGS, {"filter": {"action": "x" * 65}}, token=admin)) == ["TOO_LONG"]
    assert codes(await api.raw(LOGS, {"first": 101}, token=admin)) == ["INVALID"]


async def test_audit_log_pages_newest_first(api):
    w = await make_world("A")
    admin, _ = await _three_actions(api, w)
    first = await logs(api, admin, first=2)
    second = await logs(api, admin, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["action"] for n in first["nodes"]] == ["building.create", "unit.create"]
    assert [n["action"] for n in second["nodes"]] == ["community.create"]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)


async def test_secrets_are_redacted_and_passwords_never_logged(api):
    # given: mutations that take passwords
    w = await make_world("A")
    admin = await token_for(w.admin)
    tech = encode_id("Role", (await Role.get(code="technician")).id)
    await api.gql('mutation($r: ID!, $p: String!) { staffCreate(input: {phone: $p, name: "Pw", password: "Hunter2-pw", '
                  'grants: [{roleId: $r}]}) { errors { code } } }', {"r": tech, "p": next_phone()}, token=admin)
    platform_user = await make_platform_admin()
    platform = await token_for(platform_user)
    await api.gql('mutation($p: String!) { platformAdminCreate(phone: $p, name: "Ops", password: "Hunter3-pw") '
                  '{ errors { code } } }', {"p": next_phone()}, token=platform)
    await api.gql('mutation($p: String!) { companyCreate(input: {name: "Pw Co", adminPhone: $p, adminName: "Boss", '
                  'adminPassword: "Hunter4-pw"}) { errors { code } } }', {"p": next_phone()}, token=platform)
    # and a summary that carries secrets (written the way every audited mutation writes)
    ctx = Context(principal=Principal(user_id=w.admin.id, session_id="s", company_id=w.company.id,
                                      is_platform_admin=False))
    await record(ctx=ctx, action="staff.update", target_type="User", target_id="x", summary={
        "name": "kept", "password": "Hunter5-pw", "newPassword": "Hunter6-pw",
        "nested": {"sms_code": "123456", "refreshToken": "rt-secret"}, "list": [{"adminPassword": "Hunter7-pw"}],
    })
    # when
    company_rows = (await logs(api, admin))["nodes"]
    platform_rows = (await logs(api, platform, platform=True))["nodes"]
    # then
    text = json.dumps(company_rows + platform_rows)
    for secret in ("Hunter2-pw", "Hunter3-pw", "Hunter4-pw", "Hunter5-pw", "Hunter6-pw", "Hunter7-pw", "123456",
                   "rt-secret"):
        assert secret not in text
    redacted = next(r for r in company_rows if r["targetId"] == "x")["summary"]
    assert redacted == {"name": "kept", "password": "***", "newPassword": "***",
                        "nested": {"sms_code": "***", "refreshToken": "***"}, "list": [{"adminPassword": "***"}]}


async def test_company_admins_see_only_their_own_company(api):
    # given
    a = await make_world("A")
    b = await make_world("B")
    a_token, _ = await _three_actions(api, a)
    b_token = await token_for(b.admin)
    # then
    assert (await logs(api, b_token))["totalCount"] == 0
    a_row = (await logs(api, a_token, first=1))["nodes"][0]
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": a_row["id"]}, token=b_token)
    assert node["node"] is None
    # staff without audit.read are refused
    for role in ("technician", "customer_service", "finance"):
        token = await token_for(await make_staff(a.company, role))
        assert codes(await api.raw(LOGS, {}, token=token)) == ["FORBIDDEN"], role
    assert codes(await api.raw(LOGS, {})) == ["UNAUTHENTICATED"]


async def test_platform_actions_are_visible_to_platform_admins_only(api):
    # given
    w = await make_world("A")
    platform_user = await make_platform_admin()
    platform = await token_for(platform_user)
    data = await api.gql('mutation($p: String!) { companyCreate(input: {name: "New Co", adminPhone: $p, '
                         'adminName: "Boss"}) { company { id } errors { code } } }', {"p": next_phone()}, token=platform)
    company_id = data["companyCreate"]["company"]["id"]
    await api.gql('mutation($id: ID!) { companyDisable(id: $id) { errors { code } } }', {"id": company_id},
                  token=platform)
    # then: the platform log holds both, with the platform admin as actor
    rows = (await logs(api, platform, platform=True))["nodes"]
    assert [(r["action"], r["targetType"], r["targetId"]) for r in rows] == [
        ("company.disabled", "Company", company_id), ("company.create", "Company", company_id)]
    assert {r["actor"]["id"] for r in rows} == {gid("User", platform_user)}
    # company admins can neither read the platform log nor find platform rows in their own
    admin = await token_for(w.admin)
    assert codes(await api.raw(LOGS, {"platform": True}, token=admin)) == ["FORBIDDEN"]
    assert (await logs(api, admin))["totalCount"] == 0
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": rows[0]["id"]}, token=admin)
    assert node["node"] is None
    # a platform admin without a company has no company log
    assert codes(await api.raw(LOGS, {}, token=platform)) == ["FORBIDDEN"]


async def test_platform_actions_of_a_platform_admin_who_is_also_staff_stay_in_the_platform_log(api):
    # given: a platform administrator who also works for company A (their session is in company A)
    w = await make_world("A")
    w.admin.is_platform_admin = True
    await w.admin.save()
    token = await token_for(w.admin)
    # when
    await api.gql('mutation($p: String!) { companyCreate(input: {name: "Side Co", adminPhone: $p, '
                  'adminName: "Boss"}) { errors { code } } }', {"p": next_phone()}, token=token)
    # then: company A's admins do not see the platform action; the platform log does
    assert [r["action"] for r in (await logs(api, token))["nodes"]] == []
    assert [r["action"] for r in (await logs(api, token, platform=True))["nodes"]] == ["company.create"]
