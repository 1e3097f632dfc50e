"""GraphQL types of the accounts domain: users, roles, staff members."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from backend.core.access import visible_one
from backend.core.crypto import mask_phone, open_phone
from backend.core.gql import Info, Node, PayloadError, error_type
from backend.core.loaders import referenced
from backend.core.permissions import Perm, works_in
from backend.core.prefetch import loaded
from backend.core.storage import signed_url
from backend.domains.accounts import models
from backend.domains.accounts.errors import AccountCode
from backend.domains.accounts.loaders import GRANTS_BY_STAFF, ROLE, USER, USER_ACCESS
from backend.domains.accounts.models import InvitationStatus
from backend.domains.files.loaders import UPLOAD_KEY
from backend.domains.residents.keys import USER_BINDINGS
from backend.domains.tenancy.loaders import COMMUNITY, COMPANY
from backend.domains.tenancy.types import Community

if TYPE_CHECKING:
    from backend.domains.residents.types import UnitBinding

strawberry.enum(Perm, description="A named permission a role can hold.")
Permission = Perm


@error_type("Account", AccountCode)
class AccountError(PayloadError):
    pass


@strawberry.type(description="A person: an owner, a resident or a staff member.")
class User(Node):
    name: str = strawberry.field(description="Display name.")
    is_active: bool = strawberry.field(description="False when the account is disabled.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")
    _phone_enc: strawberry.Private[str]
    _phone_hash: strawberry.Private[str]
    _avatar_file_id: strawberry.Private[int | None] = None

    @classmethod
    def from_model(cls, m: models.User) -> User:
        return cls(_pk=m.id, name=m.name, is_active=m.is_active, created_at=m.created_at, _phone_enc=m.phone_enc,
                   _phone_hash=m.phone_hash, _avatar_file_id=m.avatar_file_id)

    @strawberry.field(description="Signed URL of the person's photo (relative to the API origin, valid about 15 "
                                  "minutes); null when they have none.")
    async def avatar_url(self, info: Info) -> str | None:
        if self._avatar_file_id is None:
            return None
        key = await UPLOAD_KEY.of(info.context).load(self._avatar_file_id)
        return signed_url(key)[0] if key else None

    @strawberry.field(description="Mobile number; masked (138****1234) unless the caller may see it in full: the "
                                  "person themself, staff with owner.phone over their units, staff.write over staff.")
    @loaded(USER_ACCESS, lambda self: self._pk)
    def phone(self, level: int) -> str:
        phone = open_phone(self._phone_enc, self._phone_hash)
        return phone if level >= 2 else mask_phone(phone)  # 2: accounts.access.FULL

    @strawberry.field(description="Units this user is bound to, as far as the caller may see.")
    async def bindings(
        self, info: Info
    ) -> list[Annotated[UnitBinding, strawberry.lazy("backend.domains.residents.types")]]:
        # residents.loaders builds the objects: this module refers to the type only lazily (no import cycle)
        return await USER_BINDINGS.of(info.context).load(self._pk)


@strawberry.type(description="A role template kept by the platform: a named set of permissions.")
class Role(Node):
    code: str = strawberry.field(description="Stable code, e.g. technician.")
    name: str = strawberry.field(description="Name in Chinese.")
    name_en: str = strawberry.field(description="Name in English.")
    permissions: list[Permission] = strawberry.field(description="Permissions the role grants.")

    @classmethod
    def from_model(cls, m: models.Role) -> Role:
        perms = [Perm(p) for p in m.permissions if p in Perm._value2member_map_]
        return cls(_pk=m.id, code=m.code, name=m.name, name_en=m.name_en, permissions=perms)


@strawberry.type(description="A permission, for people: what it allows and which part of the product it belongs to.")
class PermissionInfo:
    code: Permission = strawberry.field(description="The permission.")
    group: str = strawberry.field(description="Stable code of its group (the domain it belongs to), e.g. repairs.")
    group_name: str = strawberry.field(description="Name of its group in Chinese.")
    group_name_en: str = strawberry.field(description="Name of its group in English.")
    description: str = strawberry.field(description="What it allows, in Chinese.")
    description_en: str = strawberry.field(description="What it allows, in English.")


@strawberry.type(description="One role held by a staff member, company-wide or in one community.")
class StaffGrant:
    _role_id: strawberry.Private[int]
    _community_id: strawberry.Private[int | None]

    @strawberry.field(description="The role.")
    async def role(self, info: Info) -> Role:
        return Role.from_model(referenced(await ROLE.of(info.context).load(self._role_id)))

    @strawberry.field(description="The community it is limited to; null for the whole company.")
    async def community(self, info: Info) -> Community | None:
        if self._community_id is None:
            return None
        return await visible_one(info.context, Community.from_model(
            referenced(await COMMUNITY.of(info.context).load(self._community_id))))


@strawberry.type(description="A user working for a property company.")
class StaffMember(Node):
    title: str = strawberry.field(description="Job title.")
    is_active: bool = strawberry.field(description="False when disabled for this company.")
    created_at: datetime = strawberry.field(description="When they joined (UTC).")
    _user_id: strawberry.Private[int]
    _company_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.StaffMember) -> StaffMember:
        return cls(_pk=m.id, title=m.title, is_active=m.is_active, created_at=m.created_at, _user_id=m.user_id,
                   _company_id=m.company_id)

    @strawberry.field(description="The person.")
    async def user(self, info: Info) -> User:
        return User.from_model(referenced(await USER.of(info.context).load(self._user_id)))

    @strawberry.field(description="Roles held, each company-wide or in one community; grants in communities the "
                                  "caller does not work in are left out.")
    async def grants(self, info: Info) -> list[StaffGrant]:
        ctx = info.context
        rows = await GRANTS_BY_STAFF.of(ctx).load(self._pk)
        return [StaffGrant(_role_id=g.role_id, _community_id=g.community_id) for g in rows
                if g.community_id is None or works_in(ctx, self._company_id, g.community_id)]


@strawberry.input(description="A role to give, optionally limited to one community.")
class GrantInput:
    role_id: strawberry.ID = strawberry.field(description="The role template.")
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Limit to this community.")


@strawberry.input(description="A new staff member.")
class StaffCreateInput:
    phone: str = strawberry.field(description="Mobile number. A new number gets an account and joins at once; a "
                                             "number that already has an account gets an invitation, which its owner "
                                             "accepts or declines (a platform administrator's is refused: FORBIDDEN).")
    name: str = strawberry.field(description="Name: the new account's, or for an invitation what the company calls "
                                             "them (the account's own name is never changed or shown).")
    title: str | None = strawberry.field(default=None, description="Job title.")
    password: str | None = strawberry.field(default=None, description="Initial password of a new account; SMS "
                                                                      "sign-in works without. Refused with ACCOUNT_EXISTS "
                                                                      "when the number already has an account: nobody "
                                                                      "sets another person's password.")
    grants: list[GrantInput] = strawberry.field(description="Roles to give.")


@strawberry.input(description="Changes to a staff member; omitted fields stay.")
class StaffUpdateInput:
    title: str | None = strawberry.field(default=None, description="Job title.")
    grants: list[GrantInput] | None = strawberry.field(default=None, description="Replace all roles with these.")
    is_active: bool | None = strawberry.field(default=None, description="Enable or disable.")


@strawberry.input(description="Changes to a role template; omitted fields stay.")
class RoleUpdateInput:
    name: str | None = strawberry.field(default=None, description="Name in Chinese.")
    name_en: str | None = strawberry.field(default=None, description="Name in English.")
    permissions: list[Permission] | None = strawberry.field(default=None, description="The full permission set.")


@strawberry.type(description="Result of creating or changing a staff member.")
class StaffPayload:
    staff_member: StaffMember | None = strawberry.field(description="The staff member, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of changing a role template.")
class RolePayload:
    role: Role | None = strawberry.field(description="The role, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")


@strawberry.input(description="What the signed-in person changes about themself.")
class ViewerUpdateInput:
    name: str | None = strawberry.field(default=None, description="Your name (1-50 characters); unchanged when null.")
    avatar_file_id: strawberry.ID | None = strawberry.field(
        default=None, description="Your photo: a fileUpload with purpose AVATAR; it replaces the one before.")


@strawberry.type(description="Result of adding a platform administrator or changing one's own profile.")
class UserPayload:
    user: User | None = strawberry.field(description="The user, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")


strawberry.enum(InvitationStatus, description="Where a staff invitation stands.")


@strawberry.type(description="A role offered by a staff invitation, company-wide or in one community.")
class InvitedRole:
    code: str = strawberry.field(description="Stable code of the role template, e.g. technician.")
    name: str = strawberry.field(description="Name in Chinese.")
    name_en: str = strawberry.field(description="Name in English.")
    community_name: str | None = strawberry.field(description="The community it is limited to; null for the whole "
                                                              "company.")


@strawberry.type(description="An invitation to join a company's staff, sent to the owner of an existing account: "
                             "the membership exists only once they accept, and the company never sees the account's "
                             "own name or full phone through it.")
class StaffInvitation(Node):
    name: str = strawberry.field(description="What the inviting company calls the person (typed by the inviter).")
    title: str = strawberry.field(description="Job title offered.")
    status: InvitationStatus = strawberry.field(description="Pending, accepted, declined or cancelled.")
    created_at: datetime = strawberry.field(description="When it was sent (UTC).")
    responded_at: datetime | None = strawberry.field(description="When it was accepted, declined or cancelled (UTC).")
    _company_id: strawberry.Private[int]
    _user_id: strawberry.Private[int]
    _grants: strawberry.Private[list[list[int | None]]]

    @classmethod
    def from_model(cls, m: models.StaffInvitation) -> StaffInvitation:
        return cls(_pk=m.id, name=m.name, title=m.title, status=m.status, created_at=m.created_at,
                   responded_at=m.responded_at, _company_id=m.company_id, _user_id=m.user_id,
                   _grants=list(m.grants or []))

    @strawberry.field(description="The inviting company's name.")
    async def company_name(self, info: Info) -> str:
        return referenced(await COMPANY.of(info.context).load(self._company_id)).name

    @strawberry.field(description="The invitee's mobile number, masked (138****1234).")
    async def phone(self, info: Info) -> str:
        user = referenced(await USER.of(info.context).load(self._user_id))
        return mask_phone(open_phone(user.phone_enc, user.phone_hash))

    @strawberry.field(description="Roles offered, each company-wide or in one community.")
    async def roles(self, info: Info) -> list[InvitedRole]:
        roles = await ROLE.of(info.context).load_many([int(r or 0) for r, _ in self._grants])
        wanted = [c for _, c in self._grants if c is not None]
        communities = dict(zip(wanted, await COMMUNITY.of(info.context).load_many(wanted), strict=True))
        out: list[InvitedRole] = []
        for role, (_, c) in zip(roles, self._grants, strict=True):
            community = communities.get(c) if c is not None else None
            if role is None or (c is not None and community is None):
                continue  # gone since the invitation was sent: accepting will not give it either
            out.append(InvitedRole(code=role.code, name=role.name, name_en=role.name_en,
                                   community_name=community.name if community is not None else None))
        return out


@strawberry.type(description="Result of adding a staff member: a new number joins at once, an existing account is "
                             "invited.")
class StaffCreatePayload:
    staff_member: StaffMember | None = strawberry.field(description="The new staff member, when the number had no "
                                                                    "account yet.")
    invitation: StaffInvitation | None = strawberry.field(description="The invitation sent, when the number already "
                                                                      "had an account; nothing applies until accepted.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of answering or withdrawing a staff invitation.")
class StaffInvitationPayload:
    invitation: StaffInvitation | None = strawberry.field(description="The invitation, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")
