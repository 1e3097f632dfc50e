"""GraphQL types of the accounts domain: users, roles, staff members."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from backend.core.crypto import decrypt_str, mask_phone
from backend.core.gql import Node, error_types
from backend.core.permissions import Perm, has_perm
from backend.domains.accounts import models
from backend.domains.tenancy.types import Community

if TYPE_CHECKING:
    from backend.domains.residents.types import UnitBinding

AccountErrors = error_types("Account", ["WEAK_PASSWORD"])
AccountError = AccountErrors[1]
Permission = strawberry.enum(Perm, description="A named permission a role can hold.")


@strawberry.type(description="A person: an owner, a resident or a staff member.")
class User(Node):
    name: str = strawberry.field(description="Display name.")
    is_active: bool = strawberry.field(description="False when the account is disabled.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")
    _phone_enc: strawberry.Private[str]

    @classmethod
    def from_model(cls, m: models.User) -> User:
        return cls(_pk=m.id, name=m.name, is_active=m.is_active, created_at=m.created_at, _phone_enc=m.phone_enc)

    @strawberry.field(description="Mobile number; masked (138****1234) unless the caller may see it.")
    def phone(self, info: Info) -> str:
        phone = decrypt_str(self._phone_enc)
        p = info.context.principal
        if p is not None and (p.user_id == self._pk or p.is_platform_admin or has_perm(info.context, Perm.OWNER_PHONE)):
            return phone
        return mask_phone(phone)

    @strawberry.field(description="Units this user is bound to, as far as the caller may see.")
    async def bindings(
        self, info: Info
    ) -> list[Annotated[UnitBinding, strawberry.lazy("backend.domains.residents.types")]]:
        from backend.domains.residents.types import UnitBinding

        rows = await info.context.loaders["visible_bindings_by_user"].load(self._pk)
        return [UnitBinding.from_model(r) for r in rows]


@strawberry.type(description="A role template kept by the platform: a named set of permissions.")
class Role(Node):
    code: str = strawberry.field(description="Stable code, e.g. technician.")
    name: str = strawberry.field(description="Name in Chinese.")
    name_en: str = strawberry.field(description="Name in English.")
    permissions: list[Permission] = strawberry.field(description="Permissions the role grants.")  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, m: models.Role) -> Role:
        perms = [Perm(p) for p in m.permissions if p in Perm._value2member_map_]
        return cls(_pk=m.id, code=m.code, name=m.name, name_en=m.name_en, permissions=perms)


@strawberry.type(description="One role held by a staff member, company-wide or in one community.")
class StaffGrant:
    _role_id: strawberry.Private[int]
    _community_id: strawberry.Private[int | None]

    @strawberry.field(description="The role.")
    async def role(self, info: Info) -> Role:
        return Role.from_model(await info.context.loaders["role"].load(self._role_id))

    @strawberry.field(description="The community it is limited to; null for the whole company.")
    async def community(self, info: Info) -> Community | None:
        if self._community_id is None:
            return None
        return Community.from_model(await info.context.loaders["community"].load(self._community_id))


@strawberry.type(description="A user working for a property company.")
class StaffMember(Node):
    title: str = strawberry.field(description="Job title.")
    is_active: bool = strawberry.field(description="False when disabled for this company.")
    created_at: datetime = strawberry.field(description="When they joined (UTC).")
    _user_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.StaffMember) -> StaffMember:
        return cls(_pk=m.id, title=m.title, is_active=m.is_active, created_at=m.created_at, _user_id=m.user_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The person.")
    async def user(self, info: Info) -> User:
        return User.from_model(await info.context.loaders["user"].load(self._user_id))

    @strawberry.field(description="Roles held, each company-wide or in one community.")
    async def grants(self, info: Info) -> list[StaffGrant]:
        rows = await info.context.loaders["grants_by_staff"].load(self._pk)
        return [StaffGrant(_role_id=g.role_id, _community_id=g.community_id) for g in rows]


@strawberry.input(description="A role to give, optionally limited to one community.")
class GrantInput:
    role_id: strawberry.ID = strawberry.field(description="The role template.")
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Limit to this community.")


@strawberry.input(description="A new staff member.")
class StaffCreateInput:
    phone: str = strawberry.field(description="Mobile number; an existing account is reused.")
    name: str = strawberry.field(description="Name.")
    title: str | None = strawberry.field(default=None, description="Job title.")
    password: str | None = strawberry.field(default=None, description="Initial password; SMS sign-in works without.")
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
    permissions: list[Permission] | None = strawberry.field(default=None, description="The full permission set.")  # type: ignore[valid-type]


@strawberry.type(description="Result of creating or changing a staff member.")
class StaffPayload:
    staff_member: StaffMember | None = strawberry.field(description="The staff member, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")  # type: ignore[valid-type]


@strawberry.type(description="Result of changing a role template.")
class RolePayload:
    role: Role | None = strawberry.field(description="The role, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")  # type: ignore[valid-type]


@strawberry.type(description="Result of adding a platform administrator.")
class UserPayload:
    user: User | None = strawberry.field(description="The user, when it worked.")
    errors: list[AccountError] = strawberry.field(description="Why it did not work.")  # type: ignore[valid-type]
