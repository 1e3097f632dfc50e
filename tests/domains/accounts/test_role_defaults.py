"""Role templates: new releases add their default permissions to existing templates once, never again."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.accounts.models import Role
from backend.domains.accounts.service import DEFAULTS_VERSION, ROLE_TEMPLATES, ensure_role_templates
from tests.factories import make_platform_admin, token_for

OLD_MANAGER = ["community.read", "community.write", "unit.read", "unit.write", "owner.phone", "binding.review",
               "staff.read", "audit.read", "gate.access"]  # as a platform admin left it: owner.read removed
UPDATE = """mutation($id: ID!, $permissions: [Perm!]) {
  roleUpdate(id: $id, input: {permissions: $permissions}) { role { permissions } errors { code } } }"""


async def test_new_templates_have_the_repair_permissions(app):
    await ensure_role_templates()
    perms = {r.code: set(r.permissions) for r in await Role.all()}
    assert {"ticket.read", "ticket.dispatch", "repair.config", "ticket.stats"} <= perms["company_admin"]
    assert "ticket.work" not in perms["company_admin"]  # a technician only on purpose
    assert perms["technician"] == {"community.read", "unit.read", "ticket.work"}
    assert {"ticket.read", "ticket.dispatch"} <= perms["customer_service"]
    assert "ticket.work" not in perms["customer_service"]


async def test_existing_templates_get_new_defaults_once_and_keep_the_platforms_removals(api):
    # given templates written by the previous release, one of them edited by the platform
    await Role.filter(code="community_manager").update(permissions=OLD_MANAGER, defaults_version=1)
    await Role.filter(code="technician").update(permissions=["community.read", "unit.read"], defaults_version=1)
    await Role.filter(code="guard").update(defaults_version=1)
    # when the new release starts
    await ensure_role_templates()
    # then the new defaults are added and the earlier removal stays
    manager = await Role.get(code="community_manager")
    assert set(manager.permissions) == set(OLD_MANAGER) | {"ticket.read", "ticket.dispatch", "repair.config",
                                                           "ticket.stats"}
    assert manager.defaults_version == DEFAULTS_VERSION
    assert set((await Role.get(code="technician")).permissions) == {"community.read", "unit.read", "ticket.work"}
    assert set((await Role.get(code="guard")).permissions) == set(ROLE_TEMPLATES["guard"][2])
    # when the platform then removes a new default, and the app starts again
    token = await token_for(await make_platform_admin())
    kept = sorted(p for p in manager.permissions if p != "ticket.stats")
    data = await api.gql(UPDATE, {"id": encode_id("Role", manager.id),
                                  "permissions": [p.upper().replace(".", "_") for p in kept]}, token=token)
    assert data["roleUpdate"]["errors"] == []
    await ensure_role_templates()
    # then it stays removed
    assert set((await Role.get(code="community_manager")).permissions) == set(kept)


async def test_existing_company_admins_lose_ticket_work_once_and_a_platform_choice_stays(api):
    # given the company admin template as releases 1 and 2 left it
    full = sorted(ROLE_TEMPLATES["company_admin"][2] + ["ticket.work"])
    await Role.filter(code="company_admin").update(permissions=full, defaults_version=2)
    # when the new release starts
    await ensure_role_templates()
    # then ticket.work is gone and nothing else changed
    admin = await Role.get(code="company_admin")
    assert set(admin.permissions) == set(full) - {"ticket.work"}
    assert admin.defaults_version == DEFAULTS_VERSION
    # and a template still at release 1 gets release 2's additions without ticket.work
    await Role.filter(code="company_admin").update(permissions=["company.manage"], defaults_version=1)
    await ensure_role_templates()
    assert set((await Role.get(code="company_admin")).permissions) == {
        "company.manage", "ticket.read", "ticket.dispatch", "repair.config", "ticket.stats"}
    # when the platform gives it back on purpose, a restart leaves it
    await Role.filter(code="company_admin").update(permissions=full)
    await ensure_role_templates()
    assert "ticket.work" in (await Role.get(code="company_admin")).permissions
