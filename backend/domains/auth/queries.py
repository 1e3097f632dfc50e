"""The viewer and `node(id:)`; both obey the same access rules as the lists."""

from __future__ import annotations

import strawberry

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import NODE_TYPES, Info, Node, register_node
from backend.core.ids import decode_any
from backend.core.loaders import referenced
from backend.core.permissions import require_user
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.models import StaffInvitation as StaffInvitationModel
from backend.domains.accounts.types import StaffInvitation, User
from backend.domains.auth.types import Viewer

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
        user = referenced(await USER.of(info.context).load(p.user_id))
        return Viewer(
            user=User.from_model(user), is_platform_admin=p.is_platform_admin,
            permissions=sorted(p.grants, key=str), _company_id=p.company_id, _role_codes=p.role_codes,
        )

    @strawberry.field(description="Fetch any object by its global ID; null when it does not exist or is not yours to see.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return (await resolve_nodes(info.context, [id]))[0]

    @strawberry.field(description="Fetch up to 100 objects by global ID, in order; null where not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await resolve_nodes(info.context, list(ids))
