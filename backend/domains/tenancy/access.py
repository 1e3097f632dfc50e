"""Who may see which tenancy objects: staff by permission over the object's company and community, owners and
residents through the units they are bound to (approved bindings only: a request reveals nothing of a unit).

The rules below are the only ones: `node`, lists, nested fields and subscriptions all pass through them
(core.access installs them on the schema). Each rule keeps the chain unit → building → community: whoever may see
a unit may see its building and community, so those fields never fail for a visible parent.
"""

from __future__ import annotations

from typing import Any

from backend.core.access import rule
from backend.core.context import Context
from backend.core.permissions import Perm, covers, works_in
from backend.domains.accounts.models import StaffMember
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.types import Building, Community, Company, Unit


async def _bindings(ctx: Context) -> list[dict[str, Any]]:
    memo = ctx.loaders.memo
    if "my_bindings" not in memo:
        p = ctx.principal
        memo["my_bindings"] = [] if p is None else await UnitBinding.filter(
            user_id=p.user_id, status__in=[BindingStatus.APPROVED, BindingStatus.INVITED],
        ).values("unit_id", "unit__building_id", "community_id", "company_id", "relation", "status")
    return memo["my_bindings"]


async def my_bindings(ctx: Context) -> list[dict[str, Any]]:
    """The caller's approved bindings (unit, building, community, company, relation), read once per request."""
    return [b for b in await _bindings(ctx) if b["status"] == BindingStatus.APPROVED]


async def bound(ctx: Context, field: str) -> set[int]:
    """Values of `field` (unit_id, unit__building_id, community_id, company_id) over the units the caller lives in
    or has been invited into by its owner (an invitee must see what they are asked to join)."""
    return {b[field] for b in await _bindings(ctx)}


@rule(Company)
async def company_visible(ctx: Context, objs: list[Company]) -> list[bool]:
    """Platform admins see every company; staff the companies they work for (the one they are signed in to, and
    the others they may switch to)."""
    p = ctx.principal
    if p is None:
        return [False] * len(objs)
    if p.is_platform_admin or all(o._pk == p.company_id for o in objs):
        return [True] * len(objs)
    mine = set(await StaffMember.filter(user_id=p.user_id, is_active=True).values_list("company_id", flat=True))
    return [o._pk == p.company_id or o._pk in mine for o in objs]


@rule(Community)
async def community_visible(ctx: Context, objs: list[Community]) -> list[bool]:
    if ctx.principal is None:
        return [False] * len(objs)
    staff = [works_in(ctx, o._company_id, o._pk) for o in objs]
    mine = await bound(ctx, "community_id") if not all(staff) else set()
    return [s or o._pk in mine for s, o in zip(staff, objs, strict=True)]


def _staff_sees_building(ctx: Context, o: Building) -> bool:
    return (covers(ctx, Perm.COMMUNITY_READ, o._company_id, o._community_id)
            or covers(ctx, Perm.UNIT_READ, o._company_id, o._community_id))


@rule(Building)
async def building_visible(ctx: Context, objs: list[Building]) -> list[bool]:
    if ctx.principal is None:
        return [False] * len(objs)
    staff = [_staff_sees_building(ctx, o) for o in objs]
    mine = await bound(ctx, "unit__building_id") if not all(staff) else set()
    return [s or o._pk in mine for s, o in zip(staff, objs, strict=True)]


@rule(Unit)
async def unit_visible(ctx: Context, objs: list[Unit]) -> list[bool]:
    if ctx.principal is None:
        return [False] * len(objs)
    staff = [covers(ctx, Perm.UNIT_READ, o._company_id, o._community_id) for o in objs]
    mine = await bound(ctx, "unit_id") if not all(staff) else set()
    return [s or o._pk in mine for s, o in zip(staff, objs, strict=True)]
