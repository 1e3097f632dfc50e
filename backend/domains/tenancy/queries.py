"""Thin resolvers for tenancy lists and node lookups; every list starts from the caller's scope."""

from __future__ import annotations

import strawberry

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, register_node
from backend.core.ids import decode_id
from backend.core.pagination import Connection, paginate
from backend.core.permissions import Perm, require_platform_admin, scoped
from backend.domains.tenancy import models
from backend.domains.tenancy.types import (
    Building,
    Community,
    Company,
    CompanyStatus,
    Unit,
    UnitFilter,
    UnitType,
)


def _search(value: str | None, limit: int = 50) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(Codes.TOO_LONG, f"Search at most {limit} characters", "search")
    return value or None


async def list_companies(
    ctx: Context, *, first: int | None, after: str | None, search: str | None, status: models.CompanyStatus | None
) -> Connection[Company]:
    require_platform_admin(ctx)
    qs = models.Company.all()
    if (term := _search(search)) is not None:
        qs = qs.filter(name__icontains=term)
    if status is not None:
        qs = qs.filter(status=status)
    return await paginate(qs, first=first, after=after, to_node=Company.from_model, descending=True)


async def list_communities(ctx: Context, *, first: int | None, after: str | None, search: str | None) -> Connection[Community]:
    qs = scoped(models.Community.all(), ctx, Perm.COMMUNITY_READ, "id")
    if (term := _search(search)) is not None:
        qs = qs.filter(name__icontains=term)
    return await paginate(qs, first=first, after=after, to_node=Community.from_model)


async def list_buildings(
    ctx: Context, *, community_pk: int | None, first: int | None, after: str | None, search: str | None
) -> Connection[Building]:
    qs = scoped(models.Building.all(), ctx, Perm.COMMUNITY_READ)
    if community_pk is not None:
        qs = qs.filter(community_id=community_pk)
    if (term := _search(search)) is not None:
        qs = qs.filter(name__icontains=term)
    return await paginate(qs, first=first, after=after, to_node=Building.from_model)


async def list_units(
    ctx: Context, *, building_pk: int | None, community_pk: int | None, first: int | None, after: str | None,
    search: str | None, floor: int | None, unit_type: models.UnitType | None,
) -> Connection[Unit]:
    qs = scoped(models.Unit.all(), ctx, Perm.UNIT_READ)
    if building_pk is not None:
        qs = qs.filter(building_id=building_pk)
    if community_pk is not None:
        qs = qs.filter(community_id=community_pk)
    if (term := _search(search, 20)) is not None:
        qs = qs.filter(number__startswith=term)
    if floor is not None:
        qs = qs.filter(floor=floor)
    if unit_type is not None:
        qs = qs.filter(type=unit_type)
    return await paginate(qs, first=first, after=after, to_node=Unit.from_model)


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="Property companies (platform administrators).")
    async def companies(
        self, info: Info, first: int | None = 20, after: str | None = None, search: str | None = None,
        status: CompanyStatus | None = None,
    ) -> Connection[Company]:
        return await list_companies(info.context, first=first, after=after, search=search, status=status)

    @strawberry.field(description="Communities the caller may see, in their company.")
    async def communities(
        self, info: Info, first: int | None = 20, after: str | None = None, search: str | None = None
    ) -> Connection[Community]:
        return await list_communities(info.context, first=first, after=after, search=search)

    @strawberry.field(description="Buildings the caller may see, optionally of one community.")
    async def buildings(
        self, info: Info, community_id: strawberry.ID | None = None, first: int | None = 20, after: str | None = None,
        search: str | None = None,
    ) -> Connection[Building]:
        pk = decode_id(community_id, "Community", "communityId") if community_id is not None else None
        return await list_buildings(info.context, community_pk=pk, first=first, after=after, search=search)

    @strawberry.field(description="Units the caller may see, with filters.")
    async def units(
        self, info: Info, filter: UnitFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Unit]:
        f = filter or UnitFilter()
        return await list_units(
            info.context,
            building_pk=decode_id(f.building_id, "Building", "buildingId") if f.building_id else None,
            community_pk=decode_id(f.community_id, "Community", "communityId") if f.community_id else None,
            first=first, after=after, search=f.search, floor=f.floor, unit_type=f.type,
        )


register_node(Company, nodes_by_pk(models.Company, Company.from_model))
register_node(Community, nodes_by_pk(models.Community, Community.from_model))
register_node(Building, nodes_by_pk(models.Building, Building.from_model))
register_node(Unit, nodes_by_pk(models.Unit, Unit.from_model))

__all__ = ["TenancyQuery", "UnitType"]
