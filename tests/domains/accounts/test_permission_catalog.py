"""Permissions are listed from the server, grouped by domain and described in both languages."""

from __future__ import annotations

from backend.core.permissions import Perm
from backend.domains.accounts.permissions import PERMISSIONS
from tests.factories import make_platform_admin, make_staff, make_user, make_world, token_for

PERMISSIONS_QUERY = "{ permissions { code group groupName groupNameEn description descriptionEn } }"


def test_every_permission_has_a_group_and_both_descriptions():
    missing = [p.value for p in Perm if p not in PERMISSIONS]
    assert missing == [], f"describe these in backend/domains/accounts/permissions.py: {missing}"
    for group, zh, en in PERMISSIONS.values():
        assert group.name and group.name_en and zh.strip() and en.strip()


async def test_the_role_editor_gets_every_permission_grouped_with_descriptions(api):
    # given a platform administrator
    token = await token_for(await make_platform_admin())
    # when they list permissions
    rows = (await api.gql(PERMISSIONS_QUERY, token=token))["permissions"]
    # then every permission is there once, the repair ones included, each group together
    assert sorted(r["code"] for r in rows) == sorted(p.name for p in Perm)
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups, key=groups.index)  # contiguous
    repairs = {r["code"] for r in rows if r["group"] == "repairs"}
    assert repairs == {"TICKET_READ", "TICKET_DISPATCH", "TICKET_WORK", "REPAIR_CONFIG", "TICKET_STATS"}
    work = next(r for r in rows if r["code"] == "TICKET_WORK")
    assert work["groupName"] == "报修" and work["groupNameEn"] == "Repairs" and work["descriptionEn"]


async def test_permissions_are_for_staff_and_platform_administrators(api):
    w = await make_world("A")
    staff = await api.gql(PERMISSIONS_QUERY, token=await token_for(await make_staff(w.company, "guard")))
    assert len(staff["permissions"]) == len(Perm)
    body = await api.raw(PERMISSIONS_QUERY, token=await token_for(await make_user("Resident")))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
