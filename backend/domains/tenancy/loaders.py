"""Batch loaders for tenancy rows (by primary key) and per-community counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.functions import Count
from tortoise.models import Model

from backend.core.context import Context, LoaderKey, loader
from backend.core.loaders import by_pk
from backend.domains.tenancy.models import Building, Community, Company, Unit

M = TypeVar("M", bound=Model)


async def unit_count_by_community(ctx: Context, keys: list[int]) -> list[int]:
    rows = await Unit.filter(community_id__in=keys).group_by("community_id").annotate(n=Count("id")).values("community_id", "n")
    counts = {r["community_id"]: r["n"] for r in rows}
    return [counts.get(k, 0) for k in keys]


async def unit_count_by_building(ctx: Context, keys: list[int]) -> list[int]:
    rows = await Unit.filter(building_id__in=keys).group_by("building_id").annotate(n=Count("id")).values("building_id", "n")
    counts = {r["building_id"]: r["n"] for r in rows}
    return [counts.get(k, 0) for k in keys]


COMPANY: LoaderKey[int, Company | None] = loader("company", by_pk(Company), shared=True)
COMMUNITY: LoaderKey[int, Community | None] = loader("community", by_pk(Community), shared=True)
BUILDING: LoaderKey[int, Building | None] = loader("building", by_pk(Building), shared=True)
UNIT: LoaderKey[int, Unit | None] = loader("unit", by_pk(Unit), shared=True)
UNIT_COUNT_BY_COMMUNITY: LoaderKey[int, int] = loader("unit_count_by_community", unit_count_by_community)
UNIT_COUNT_BY_BUILDING: LoaderKey[int, int] = loader("unit_count_by_building", unit_count_by_building)

# A nested connection's page: (parent pk, size, after pk, search) -> up to size+1 children in id order.
PageKey = tuple[int, int, int | None, str | None]


def children_page(model: type[M], parent_field: str, search_field: str, search_lookup: str
                  ) -> Callable[[Context, list[PageKey]], Awaitable[list[list[M]]]]:
    """Batch nested connections: key (parent pk, size, after pk, search) -> up to size+1 children in id order.

    Keys that share (size, after, search) are answered by one query over all their parents.
    """

    async def batch(ctx: Context, keys: list[PageKey]) -> list[list[M]]:
        groups: dict[tuple[int, int | None, str | None], list[int]] = {}
        for parent, size, after, search in keys:
            groups.setdefault((size, after, search), []).append(parent)
        found: dict[PageKey, list[M]] = {}
        for (size, after, search), parents in groups.items():
            qs = model.filter(**{f"{parent_field}__in": parents})
            if after is not None:
                qs = qs.filter(id__gt=after)
            if search:
                qs = qs.filter(**{f"{search_field}__{search_lookup}": search})
            per_parent: dict[int, list[M]] = {p: [] for p in parents}
            for row in await qs.order_by("id"):
                bucket = per_parent[getattr(row, parent_field)]
                if len(bucket) <= size:
                    bucket.append(row)
            for p in parents:
                found[(p, size, after, search)] = per_parent[p]
        return [found[k] for k in keys]

    return batch


async def building_count_by_community(ctx: Context, keys: list[int]) -> list[int]:
    rows = await Building.filter(community_id__in=keys).group_by("community_id").annotate(n=Count("id")).values("community_id", "n")
    counts = {r["community_id"]: r["n"] for r in rows}
    return [counts.get(k, 0) for k in keys]


BUILDINGS_PAGE: LoaderKey[PageKey, list[Building]] = loader(
    "buildings_page", children_page(Building, "community_id", "name", "icontains"))
UNITS_PAGE: LoaderKey[PageKey, list[Unit]] = loader(
    "units_page", children_page(Unit, "building_id", "number", "startswith"))
BUILDING_COUNT_BY_COMMUNITY: LoaderKey[int, int] = loader("building_count_by_community",
                                                          building_count_by_community)
