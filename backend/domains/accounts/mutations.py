"""Thin mutation resolvers for staff accounts, role templates and platform administrators."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from backend.core.errors import Codes, DomainError
from backend.core.gql import run_mutation
from backend.core.ids import decode_id, encode_id
from backend.core.permissions import Perm, require_perm, require_platform_admin
from backend.domains.accounts import service
from backend.domains.accounts.types import (
    AccountErrors,
    GrantInput,
    Role,
    RolePayload,
    RoleUpdateInput,
    StaffCreateInput,
    StaffMember,
    StaffPayload,
    StaffUpdateInput,
    User,
    UserPayload,
)


def _grants(items: list[GrantInput]) -> list[service.GrantSpec]:
    if len(items) > 50:
        raise DomainError(Codes.TOO_LONG, "At most 50 grants", "grants")
    return [
        service.GrantSpec(
            role_id=decode_id(g.role_id, "Role", "grants"),
            community_id=decode_id(g.community_id, "Community", "grants") if g.community_id else None,
        )
        for g in items
    ]


def _summary(grants: list[GrantInput] | None) -> list[dict[str, Any]] | None:
    if grants is None:
        return None
    return [{"role": g.role_id, "community": g.community_id} for g in grants]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Add a staff member to the caller's company with roles.")
    async def staff_create(self, info: Info, input: StaffCreateInput) -> StaffPayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.STAFF_WRITE)
            staff = await service.create_staff(
                company_id=company_id, phone=input.phone, name=input.name, password=input.password,
                title=input.title or "", grants=_grants(input.grants),
            )
            return {"staff_member": StaffMember.from_model(staff), "_audit": {
                "target_type": "StaffMember", "target_id": encode_id("StaffMember", staff.id),
                "summary": {"name": input.name, "grants": _summary(input.grants)}}}

        return await run_mutation(info, StaffPayload, AccountErrors, run, audit="staff.create")

    @strawberry.mutation(description="Change a staff member's title, roles or status; applies on their next request.")
    async def staff_update(self, info: Info, id: strawberry.ID, input: StaffUpdateInput) -> StaffPayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.STAFF_WRITE)
            staff = await service.update_staff(
                company_id=company_id, staff_id=decode_id(id, "StaffMember"),
                actor_user_id=info.context.principal.user_id, title=input.title,
                grants=_grants(input.grants) if input.grants is not None else None, active=input.is_active,
            )
            return {"staff_member": StaffMember.from_model(staff), "_audit": {
                "target_type": "StaffMember", "target_id": id,
                "summary": {"title": input.title, "isActive": input.is_active, "grants": _summary(input.grants)}}}

        return await run_mutation(info, StaffPayload, AccountErrors, run, audit="staff.update")

    @strawberry.mutation(description="Edit a role template (platform).")
    async def role_update(self, info: Info, id: strawberry.ID, input: RoleUpdateInput) -> RolePayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            perms = [p.value for p in input.permissions] if input.permissions is not None else None
            role = await service.update_role_template(
                role_id=decode_id(id, "Role"), name=input.name, name_en=input.name_en, permissions=perms
            )
            return {"role": Role.from_model(role), "_audit": {
                "target_type": "Role", "target_id": id, "summary": {"name": input.name, "permissions": perms},
                "platform": True}}

        return await run_mutation(info, RolePayload, AccountErrors, run, audit="role.update")

    @strawberry.mutation(description="Make a person a platform administrator (platform).")
    async def platform_admin_create(self, info: Info, phone: str, name: str, password: str) -> UserPayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            user = await service.create_platform_admin(phone=phone, name=name, password=password)
            return {"user": User.from_model(user), "_audit": {
                "target_type": "User", "target_id": encode_id("User", user.id), "summary": {"name": name},
                "platform": True}}

        return await run_mutation(info, UserPayload, AccountErrors, run, audit="platformAdmin.create")
