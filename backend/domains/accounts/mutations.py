"""Thin mutation resolvers for staff accounts and invitations, role templates and platform administrators."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id, encode_id
from backend.core.permissions import Perm, require_perm, require_platform_admin, require_user
from backend.domains.accounts import models, service
from backend.domains.accounts.types import (
    AccountError,
    GrantInput,
    Role,
    RolePayload,
    RoleUpdateInput,
    StaffCreateInput,
    StaffCreatePayload,
    StaffInvitation,
    StaffInvitationPayload,
    StaffMember,
    StaffPayload,
    StaffUpdateInput,
    User,
    UserPayload,
    ViewerUpdateInput,
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
    @strawberry.mutation(description="Change your own name and/or photo (upload it first with fileUpload, purpose "
                                     "AVATAR).")
    async def viewer_update(self, info: Info, input: ViewerUpdateInput) -> UserPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            avatar = decode_id(input.avatar_file_id, "StoredFile", "avatarFileId") if input.avatar_file_id else None
            user = await service.update_profile(user_id=uid, name=input.name, avatar_file_id=avatar)
            return {"user": User.from_model(user)}

        return await run_mutation(info, UserPayload, AccountError, run)

    @strawberry.mutation(description="Add a staff member to the caller's company with roles: a new number gets an "
                                     "account and joins at once; an existing account is invited and joins when its "
                                     "owner accepts. Nobody's name, phone or password is changed.")
    async def staff_create(self, info: Info, input: StaffCreateInput) -> StaffCreatePayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.STAFF_WRITE)
            added = await service.create_staff(
                company_id=company_id, phone=input.phone, name=input.name, password=input.password,
                title=input.title or "", grants=_grants(input.grants), invited_by=require_user(info.context),
            )
            summary = {"name": input.name, "grants": _summary(input.grants)}
            if isinstance(added, models.StaffInvitation):
                return {"staff_member": None, "invitation": StaffInvitation.from_model(added), "_audit": {
                    "target_type": "StaffInvitation", "target_id": encode_id("StaffInvitation", added.id),
                    "summary": summary}}
            return {"staff_member": StaffMember.from_model(added), "invitation": None, "_audit": {
                "target_type": "StaffMember", "target_id": encode_id("StaffMember", added.id), "summary": summary}}

        return await run_mutation(info, StaffCreatePayload, AccountError, run, audit="staff.create")

    @strawberry.mutation(description="Withdraw a staff invitation of the caller's company not yet answered.")
    async def staff_invitation_cancel(self, info: Info, id: strawberry.ID) -> StaffInvitationPayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.STAFF_WRITE)
            row = await service.cancel_staff_invitation(
                invitation_id=decode_id(id, "StaffInvitation"), company_id=company_id
            )
            return {"invitation": StaffInvitation.from_model(row), "_audit": {
                "target_type": "StaffInvitation", "target_id": id, "summary": {}}}

        return await run_mutation(info, StaffInvitationPayload, AccountError, run, audit="staffInvitation.cancel")

    @strawberry.mutation(description="Accept an invitation to a company's staff sent to you: its roles apply from "
                                     "your next request in that company (switch with authSwitchCompany).")
    async def staff_invitation_accept(self, info: Info, id: strawberry.ID) -> StaffInvitationPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            row = await service.accept_staff_invitation(invitation_id=decode_id(id, "StaffInvitation"), user_id=uid)
            # Recorded in the inviting company's log: the invitee now works there.
            return {"invitation": StaffInvitation.from_model(row), "_audit": {
                "target_type": "StaffInvitation", "target_id": id, "summary": {},
                "company_id": row.company_id}}

        return await run_mutation(info, StaffInvitationPayload, AccountError, run, audit="staffInvitation.accept")

    @strawberry.mutation(description="Decline an invitation to a company's staff sent to you.")
    async def staff_invitation_decline(self, info: Info, id: strawberry.ID) -> StaffInvitationPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            row = await service.decline_staff_invitation(invitation_id=decode_id(id, "StaffInvitation"), user_id=uid)
            return {"invitation": StaffInvitation.from_model(row)}

        return await run_mutation(info, StaffInvitationPayload, AccountError, run)

    @strawberry.mutation(description="Change a staff member's title, roles or status; applies on their next request.")
    async def staff_update(self, info: Info, id: strawberry.ID, input: StaffUpdateInput) -> StaffPayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.STAFF_WRITE)
            staff = await service.update_staff(
                company_id=company_id, staff_id=decode_id(id, "StaffMember"),
                actor_user_id=require_user(info.context), title=input.title,
                grants=_grants(input.grants) if input.grants is not None else None, active=input.is_active,
            )
            return {"staff_member": StaffMember.from_model(staff), "_audit": {
                "target_type": "StaffMember", "target_id": id,
                "summary": {"title": input.title, "isActive": input.is_active, "grants": _summary(input.grants)}}}

        return await run_mutation(info, StaffPayload, AccountError, run, audit="staff.update")

    @strawberry.mutation(description="Edit a role template (platform).")
    async def role_update(self, info: Info, id: strawberry.ID, input: RoleUpdateInput) -> RolePayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            perms = [str(p.value) for p in input.permissions] if input.permissions is not None else None
            role = await service.update_role_template(
                role_id=decode_id(id, "Role"), name=input.name, name_en=input.name_en, permissions=perms
            )
            return {"role": Role.from_model(role), "_audit": {
                "target_type": "Role", "target_id": id, "summary": {"name": input.name, "permissions": perms},
                "platform": True}}

        return await run_mutation(info, RolePayload, AccountError, run, audit="role.update")

    @strawberry.mutation(description="Make a person a platform administrator (platform). A new number gets an account "
                                     "with this name and password; an existing account only gains the role and keeps "
                                     "its own name and password (a password given for it is refused: ACCOUNT_EXISTS).")
    async def platform_admin_create(
        self, info: Info, phone: str, name: str, password: str | None = None
    ) -> UserPayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            user = await service.create_platform_admin(phone=phone, name=name, password=password)
            return {"user": User.from_model(user), "_audit": {
                "target_type": "User", "target_id": encode_id("User", user.id), "summary": {"name": name},
                "platform": True}}

        return await run_mutation(info, UserPayload, AccountError, run, audit="platformAdmin.create")
