"""Thin resolvers for users, roles, staff and the viewer."""

from __future__ import annotations

import strawberry

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.crypto import InvalidPhone, normalize_phone, phone_hash
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, register_node
from backend.core.pagination import Connection, paginate
from backend.core.permissions import Perm, require_platform_admin, require_user, scoped
from backend.domains.accounts import models
from backend.domains.accounts.permissions import catalog
from backend.domains.accounts.types import PermissionInfo, Role, StaffMember, User


async def list_staff(
    ctx: Context, *, first: int | None, after: str | None, search: str | None, active: bool | None
) -> Connection[StaffMember]:
    qs = scoped(models.StaffMember.all(), ctx, Perm.STAFF_READ, None)
    assert ctx.principal is not None
    scope = ctx.principal.grants[Perm.STAFF_READ]
    if scope is not None:
        qs = qs.filter(grants__community_id__in=list(scope)).distinct()
    term = (search or "").strip()
    if len(term) > 50:
        raise DomainError(Codes.TOO_LONG, "Search at most 50 characters", "search")
    if term:
        try:
            qs = qs.filter(user__phone_hash=phone_hash(normalize_phone(term)))
        except InvalidPhone:
            qs = qs.filter(user__name__icontains=term)
    if active is not None:
        qs = qs.filter(is_active=active)
    return await paginate(qs, first=first, after=after, to_node=StaffMember.from_model)


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="Role templates (any staff member or platform administrator).")
    async def roles(self, info: Info) -> list[Role]:
        p = info.context.principal
        require_user(info.context)
        if p is None or not (p.is_platform_admin or p.company_id is not None):
            raise DomainError(Codes.FORBIDDEN, "Staff only")
        return [Role.from_model(r) for r in await models.Role.all().order_by("id")]

    @strawberry.field(description="Every permission a role can hold, grouped by domain, with descriptions (any staff "
                                  "member or platform administrator).")
    def permissions(self, info: Info) -> list[PermissionInfo]:
        p = info.context.principal
        require_user(info.context)
        if p is None or not (p.is_platform_admin or p.company_id is not None):
            raise DomainError(Codes.FORBIDDEN, "Staff only")
        return [PermissionInfo(code=perm, group=g.code, group_name=g.name, group_name_en=g.name_en, description=zh,
                               description_en=en) for perm, g, zh, en in catalog()]

    @strawberry.field(description="Staff of the caller's company: search by name or exact phone.")
    async def staff_members(
        self, info: Info, first: int | None = 20, after: str | None = None, search: str | None = None,
        is_active: bool | None = None,
    ) -> Connection[StaffMember]:
        return await list_staff(info.context, first=first, after=after, search=search, active=is_active)

    @strawberry.field(description="Platform administrators (platform).")
    async def platform_admins(self, info: Info) -> list[User]:
        require_platform_admin(info.context)
        return [User.from_model(u) for u in await models.User.filter(is_platform_admin=True).order_by("id").limit(100)]


register_node(User, nodes_by_pk(models.User, User.from_model))
register_node(Role, nodes_by_pk(models.Role, Role.from_model))
register_node(StaffMember, nodes_by_pk(models.StaffMember, StaffMember.from_model))
