"""Audit entries show the object acted on, as a Node the caller may see, or null."""

from __future__ import annotations

from backend.core.context import Context, Principal
from backend.core.ids import encode_id
from backend.domains.audit.service import record
from tests.factories import make_platform_admin, make_unit, make_world, next_phone, token_for
from tests.support.sqlcount import count_statements

LOGS = """query($platform: Boolean! = false) { auditLogs(platform: $platform, first: 50) { nodes {
  action targetId target { __typename id ... on Unit { number } ... on Company { name } ... on Building { name } } } } }"""
CREATE_UNIT = """mutation($b: ID!, $n: String!) { unitCreate(buildingId: $b, input: {number: $n, floor: 1, area: "80"}) {
  unit { id } errors { code } } }"""


async def entries(api, token: str, platform: bool = False) -> list[dict]:  # noqa: ANN001 - the Api fixture
    return (await api.gql(LOGS, {"platform": platform}, token=token))["auditLogs"]["nodes"]


async def test_the_target_is_the_object_as_it_is_now_or_null_once_deleted(api):
    # given a unit created and another created then deleted
    w = await make_world("A")
    token = await token_for(w.admin)
    b = encode_id("Building", w.building.id)
    kept = (await api.gql(CREATE_UNIT, {"b": b, "n": "1501"}, token=token))["unitCreate"]["unit"]["id"]
    gone = (await api.gql(CREATE_UNIT, {"b": b, "n": "1502"}, token=token))["unitCreate"]["unit"]["id"]
    deleted = await api.gql("mutation($id: ID!) { unitDelete(id: $id) { errors { code } } }", {"id": gone},
                            token=token)
    assert deleted["unitDelete"]["errors"] == []
    # when the admin reads the log
    rows = await entries(api, token)
    # then the kept unit is linked with its number, the deleted one is null
    by_action = [(r["action"], r["targetId"], r["target"]) for r in rows]
    assert by_action == [
        ("unit.delete", gone, None),
        ("unit.create", gone, None),
        ("unit.create", kept, {"__typename": "Unit", "id": kept, "number": "1501"}),
    ]


async def test_a_target_in_another_company_is_null(api):
    # given an entry of company A that names an object of company B (as a bug or a forged summary could)
    a, b = await make_world("A"), await make_world("B")
    ctx = Context(principal=Principal(user_id=a.admin.id, session_id="s", company_id=a.company.id,
                                      is_platform_admin=False))
    await record(ctx=ctx, action="building.update", target_type="Building", target_id=encode_id("Building", b.building.id))
    await record(ctx=ctx, action="building.update", target_type="Building", target_id=encode_id("Building", a.building.id))
    await record(ctx=ctx, action="building.update", target_type="Building", target_id="not-an-id")
    # when A's admin reads the log, then only A's own building is resolved
    rows = await entries(api, await token_for(a.admin))
    assert [r["target"] for r in rows] == [
        None, {"__typename": "Building", "id": encode_id("Building", a.building.id), "name": a.building.name}, None]
    # and B's admin sees none of A's entries, so none of their targets
    assert await entries(api, await token_for(b.admin)) == []


async def test_platform_entries_link_the_company_for_platform_admins(api):
    # given a company created by a platform administrator
    platform = await token_for(await make_platform_admin())
    created = await api.gql("""mutation($p: String!) { companyCreate(input: {name: "Linked Co", adminPhone: $p,
      adminName: "Boss"}) { company { id } errors { code } } }""", {"p": next_phone()}, token=platform)
    company_id = created["companyCreate"]["company"]["id"]
    # when the platform log is read, then its entry links the company
    (row,) = await entries(api, platform, platform=True)
    assert row["target"] == {"__typename": "Company", "id": company_id, "name": "Linked Co"}


async def test_targets_cost_the_same_statements_for_5_or_20_entries(api):
    # given 25 entries naming units, buildings and a community of the company
    w = await make_world("A")
    ctx = Context(principal=Principal(user_id=w.admin.id, session_id="s", company_id=w.company.id,
                                      is_platform_admin=False))
    for i in range(25):
        unit = await make_unit(w.building, f"9{i:02d}")
        kind, target = [("unit.update", unit), ("building.update", w.building), ("community.update", w.community)][i % 3]
        type_name = kind.split(".")[0].capitalize()
        await record(ctx=ctx, action=kind, target_type=type_name, target_id=encode_id(type_name, target.id))
    token = await token_for(w.admin)
    counts = {}
    for first in (5, 20):
        # when a page of the log is read with its targets
        with count_statements() as counter:
            data = await api.gql("""query($first: Int) { auditLogs(first: $first) { nodes { actionName target {
              __typename ... on Unit { number building { name } } ... on Building { name } ... on Community { name } }
              } } }""", {"first": first}, token=token)
        # then every target is there, and the statements do not grow with the page
        assert all(n["target"] for n in data["auditLogs"]["nodes"]) and len(data["auditLogs"]["nodes"]) == first
        counts[first] = counter.count
    assert counts[5] == counts[20], counts
