"""Batch loaders for tenancy rows (by primary key) and per-community counts."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from backend.core.context import Context, register_loader
from backend.domains.tenancy.models import Building, Community, Company, Unit


def by_pk(model: Any):  # noqa: ANN201 - returns a batch function
    async def batch(ctx: Context, keys: list[int]) -> list[Any]:
        rows = {r.id: r for r in await model.filter(id__in=keys)}
        return [rows.get(k) for k in keys]

    return batch


async def unit_count_by_community(ctx: Context, keys: list[int]) -> list[int]:
    rows = await Unit.filter(community_id__in=keys).group_by("community_id").annotate(n=Count("id")).values("community_id", "n")
    counts = {r["community_id"]: r["n"] for r in rows}
    return [counts.get(k, 0) for k in keys]


async def unit_count_by_building(ctx: Context, keys: list[int]) -> list[int]:
    rows = await Unit.filter(building_id__in=keys).group_by("building_id").annotate(n=Count("id")).values("building_id", "n")
    counts = {r["building_id"]: r["n"] for r in rows}
    return [counts.get(k, 0) for k in keys]


register_loader("company", by_pk(Company))
register_loader("community", by_pk(Community))
register_loader("building", by_pk(Building))
register_loader("unit", by_pk(Unit))
register_loader("unit_count_by_community", unit_count_by_community)
register_loader("unit_count_by_building", unit_count_by_building)
