"""The tenancy lists as .xlsx: units, communities, buildings and (for platform admins) companies."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from backend.core.context import Context
from backend.core.exports import (
    Export,
    enum_value,
    integer,
    label,
    local_time,
    names,
    opt,
    pk,
    register_export,
)
from backend.domains.tenancy import models
from backend.domains.tenancy.queries import list_buildings, list_communities, list_companies, list_units

STATUS_ZH = {"active": "正常", "disabled": "停用"}
TYPE_ZH = {"residential": "住宅", "commercial": "商铺", "parking": "车位"}


async def _units(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await names(models.Community, {r.community_id for r in rows})
    buildings = await names(models.Building, {r.building_id for r in rows})
    return [[communities.get(r.community_id, ""), buildings.get(r.building_id, ""), r.number, r.floor, r.area,
             label(r.type, TYPE_ZH), local_time(r.created_at)] for r in rows]


async def _communities(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    counts = dict(await models.Unit.filter(community_id__in=[r.id for r in rows]).annotate(n=Count("id"))
                  .group_by("community_id").values_list("community_id", "n"))
    return [[r.name, r.address, r.timezone, int(counts.get(r.id, 0)), local_time(r.created_at)] for r in rows]


async def _buildings(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await names(models.Community, {r.community_id for r in rows})
    return [[communities.get(r.community_id, ""), r.name, r.floors, local_time(r.created_at)] for r in rows]


async def _companies(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    return [[r.name, label(r.status, STATUS_ZH), r.contact_name, local_time(r.created_at)] for r in rows]


register_export("units", Export(
    ["小区 Community", "楼栋 Building", "房号 Unit number", "楼层 Floor", "面积(㎡) Area (m²)", "类型 Type",
     "创建时间 Created"],
    lambda ctx, q: list_units(
        ctx, building_pk=pk(q, "buildingId", "Building"), community_pk=pk(q, "communityId", "Community"),
        first=0, after=None, search=opt(q, "search"), floor=integer(q, "floor"),
        unit_type=enum_value(q, "type", models.UnitType)),
    _units))
register_export("communities", Export(
    ["小区 Community", "地址 Address", "时区 Time zone", "房屋数 Units", "创建时间 Created"],
    lambda ctx, q: list_communities(ctx, first=0, after=None, search=opt(q, "search")),
    _communities))
register_export("buildings", Export(
    ["小区 Community", "楼栋 Building", "楼层数 Floors", "创建时间 Created"],
    lambda ctx, q: list_buildings(ctx, community_pk=pk(q, "communityId", "Community"), first=0, after=None,
                                  search=opt(q, "search")),
    _buildings))
register_export("companies", Export(
    ["公司 Company", "状态 Status", "联系人 Contact", "创建时间 Created"],
    lambda ctx, q: list_companies(ctx, first=0, after=None, search=opt(q, "search"),
                                  status=enum_value(q, "status", models.CompanyStatus)),
    _companies, descending=True))
