"""The viewer and `node(id:)`; both obey the same access rules as the lists."""

from __future__ import annotations

import strawberry
from strawberry.types import Info
from tortoise.expressions import Subquery

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import NODE_TYPES, Node, register_node
from backend.core.ids import decode_any
from backend.core.permissions import Perm, require_user
from backend.domains.accounts.models import InvitationStatus, StaffMember
from backend.domains.accounts.models import Role as RoleModel
from backend.domains.accounts.models import StaffInvitation as StaffInvitationModel
from backend.domains.accounts.types import Role, StaffInvitation, User
from backend.domains.auth.types import Membership, Viewer
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import Community as CommunityModel
from backend.domains.tenancy.models import CompanyStatus
from backend.domains.tenancy.types import Community, Company


async def viewer_memberships(ctx: Context) -> list[Membership]:
    p = ctx.principal
    assert p is not None
    rows = await StaffMember.filter(user_id=p.user_id, is_active=True, company__status=CompanyStatus.ACTIVE).order_by("id").prefetch_related("company")
    return [Membership(company=Company.from_model(r.company), is_current=r.company_id == p.company_id) for r in rows]  # type: ignore[attr-defined]


async def viewer_roles(ctx: Context, codes: tuple[str, ...]) -> list[Role]:
    if not codes:
        return []
    return [Role.from_model(r) for r in await RoleModel.filter(code__in=list(codes)).order_by("id")]


async def viewer_communities(ctx: Context) -> list[Community]:
    p = ctx.principal
    assert p is not None
    if p.company_id is not None and Perm.COMMUNITY_READ in p.grants:
        scope = p.grants[Perm.COMMUNITY_READ]
        qs = CommunityModel.filter(company_id=p.company_id)
        if scope is not None:
            qs = qs.filter(id__in=list(scope))
    else:
        ids = UnitBinding.filter(user_id=p.user_id, status=BindingStatus.APPROVED).values("community_id")
        qs = CommunityModel.filter(id__in=Subquery(ids))  # a bare ValuesQuery raises TypeError
    return [Community.from_model(c) for c in await qs.order_by("id").limit(100)]


async def viewer_staff_invitations(ctx: Context) -> list[StaffInvitation]:
    """Invitations to join a company's staff that wait for the caller's answer, newest first."""
    p = ctx.principal
    assert p is not None
    rows = await StaffInvitationModel.filter(
        user_id=p.user_id, status=InvitationStatus.PENDING, company__status=CompanyStatus.ACTIVE
    ).order_by("-id").limit(100)
    return [StaffInvitation.from_model(r) for r in rows]


register_node(StaffInvitation, nodes_by_pk(StaffInvitationModel, StaffInvitation.from_model))


async def resolve_nodes(ctx: Context, gids: list[str]) -> list[Node | None]:
    """Fetch nodes by global ID in the caller's scope; unknown or out-of-scope IDs give null."""
    require_user(ctx)
    if len(gids) > 100:
        raise DomainError(Codes.TOO_LONG, "At most 100 IDs", "ids")
    by_type: dict[str, list[int]] = {}
    decoded: list[tuple[str, int]] = []
    for gid in gids:
        type_name, pk = decode_any(gid)
        if type_name not in NODE_TYPES:
            raise DomainError(Codes.INVALID_ID, "Unknown type", "id")
        decoded.append((type_name, pk))
        by_type.setdefault(type_name, []).append(pk)
    found: dict[tuple[str, int], Node | None] = {}
    for type_name, pks in by_type.items():
        _, resolve = NODE_TYPES[type_name]
        unique = list(dict.fromkeys(pks))
        for pk, obj in zip(unique, await resolve(ctx, unique), strict=True):
            found[(type_name, pk)] = obj
    return [found.get(key) for key in decoded]


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in caller; null when not signed in.")
    async def viewer(self, info: Info) -> Viewer | None:
        p = info.context.principal
        if p is None:
            if info.context.auth_error:
                raise DomainError(info.context.auth_error, "Sign in again")
            return None
        user = await info.context.loaders["user"].load(p.user_id)
        return Viewer(
            user=User.from_model(user), is_platform_admin=p.is_platform_admin,
            permissions=sorted(p.grants, key=lambda x: x.value), _company_id=p.company_id, _role_codes=p.role_codes,
        )

    @strawberry.field(description="Fetch any object by its global ID; null when it does not exist or is not yours to see.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info.context, [id]))[0]

    @strawberry.field(description="Fetch up to 100 objects by global ID, in order; null where not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await resolve_nodes(info.context, list(ids))
