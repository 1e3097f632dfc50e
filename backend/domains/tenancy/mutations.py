"""Thin mutation resolvers for companies, communities, buildings and units."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id, encode_id
from backend.core.permissions import Perm, community_scope, require_platform_admin
from backend.domains.tenancy import models, service
from backend.domains.tenancy.types import (
    Building,
    BuildingInput,
    BuildingPayload,
    Community,
    CommunityInput,
    CommunityPayload,
    Company,
    CompanyPayload,
    DeletePayload,
    TenancyError,
    Unit,
    UnitBulkInput,
    UnitBulkPayload,
    UnitInput,
    UnitPayload,
)


def _audit(obj: Any, type_name: str, summary: dict[str, Any]) -> dict[str, Any]:
    return {"target_type": type_name, "target_id": encode_id(type_name, obj.id), "summary": summary}


@strawberry.input(description="A new property company with its first administrator.")
class CompanyCreateInput:
    name: str = strawberry.field(description="Registered name, at most 100 characters.")
    admin_phone: str = strawberry.field(description="Mobile number of the first company administrator; a person "
                                                    "who already has an account is invited and becomes admin when "
                                                    "they accept.")
    admin_name: str = strawberry.field(description="Name of the first company administrator.")
    admin_password: str | None = strawberry.field(default=None, description="Initial password for a new account (or SMS "
                                                             "sign-in only); refused (ACCOUNT_EXISTS) for an "
                                                             "existing account, whose password stays its own.")


@strawberry.type
class TenancyMutation:
    @strawberry.mutation(description="Create a property company and its first administrator (platform).")
    async def company_create(self, info: Info, input: CompanyCreateInput) -> CompanyPayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            company, _ = await service.create_company(
                name=input.name, admin_phone=input.admin_phone, admin_name=input.admin_name,
                admin_password=input.admin_password,
            )
            return {"company": Company.from_model(company),
                    "_audit": {**_audit(company, "Company", {"name": company.name}), "platform": True}}

        return await run_mutation(info, CompanyPayload, TenancyError, run, audit="company.create")

    @strawberry.mutation(description="Disable a property company: its staff lose access at once (platform).")
    async def company_disable(self, info: Info, id: strawberry.ID) -> CompanyPayload:
        return await _set_status(info, id, models.CompanyStatus.DISABLED)

    @strawberry.mutation(description="Enable a disabled property company again (platform).")
    async def company_enable(self, info: Info, id: strawberry.ID) -> CompanyPayload:
        return await _set_status(info, id, models.CompanyStatus.ACTIVE)

    @strawberry.mutation(description="Create a community in the caller's company.")
    async def community_create(self, info: Info, input: CommunityInput) -> CommunityPayload:
        return await _save_community(info, None, input)

    @strawberry.mutation(description="Change a community.")
    async def community_update(self, info: Info, id: strawberry.ID, input: CommunityInput) -> CommunityPayload:
        return await _save_community(info, id, input)

    @strawberry.mutation(description="Delete a community that has no buildings.")
    async def community_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, id, "Community", Perm.COMMUNITY_WRITE, service.delete_community, "community_id")

    @strawberry.mutation(description="Create a building in a community.")
    async def building_create(self, info: Info, community_id: strawberry.ID, input: BuildingInput) -> BuildingPayload:
        return await _save_building(info, None, community_id, input)

    @strawberry.mutation(description="Change a building.")
    async def building_update(self, info: Info, id: strawberry.ID, input: BuildingInput) -> BuildingPayload:
        return await _save_building(info, id, None, input)

    @strawberry.mutation(description="Delete a building that has no units.")
    async def building_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, id, "Building", Perm.UNIT_WRITE, service.delete_building, "building_id")

    @strawberry.mutation(description="Create a unit in a building.")
    async def unit_create(self, info: Info, building_id: strawberry.ID, input: UnitInput) -> UnitPayload:
        return await _save_unit(info, None, building_id, input)

    @strawberry.mutation(description="Change a unit.")
    async def unit_update(self, info: Info, id: strawberry.ID, input: UnitInput) -> UnitPayload:
        return await _save_unit(info, id, None, input)

    @strawberry.mutation(description="Delete a unit that has no residents.")
    async def unit_delete(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, id, "Unit", Perm.UNIT_WRITE, service.delete_unit, "unit_id")

    @strawberry.mutation(description="Create floors × units-per-floor units of a building in one step.")
    async def unit_bulk_create(self, info: Info, input: UnitBulkInput) -> UnitBulkPayload:
        async def run() -> dict[str, Any]:
            pk = decode_id(input.building_id, "Building", "buildingId")
            company_id, scope = community_scope(info.context, Perm.UNIT_WRITE)
            rows = await service.bulk_create_units(
                company_id=company_id, building_id=pk, floor_from=input.floor_from, floor_to=input.floor_to,
                per_floor=input.per_floor, area=str(input.area), unit_type=models.UnitType(input.type),
                communities=scope,
            )
            summary = {"floorFrom": input.floor_from, "floorTo": input.floor_to, "perFloor": input.per_floor,
                       "count": len(rows)}
            return {"created_count": len(rows),
                    "_audit": {"target_type": "Building", "target_id": input.building_id, "summary": summary}}

        return await run_mutation(info, UnitBulkPayload, TenancyError, run, audit="unit.bulkCreate")


async def _delete(
    info: Info, id: strawberry.ID, type_name: str, perm: Perm, delete: Callable[..., Awaitable[None]], pk_arg: str
) -> DeletePayload:
    async def run() -> dict[str, Any]:
        pk = decode_id(id, type_name)
        company_id, scope = community_scope(info.context, perm)
        await delete(company_id=company_id, communities=scope, **{pk_arg: pk})
        return {"deleted_id": id, "_audit": {"target_type": type_name, "target_id": id}}

    return await run_mutation(info, DeletePayload, TenancyError, run, audit=type_name.lower() + ".delete")


async def _set_status(info: Info, id: strawberry.ID, status: models.CompanyStatus) -> CompanyPayload:
    async def run() -> dict[str, Any]:
        require_platform_admin(info.context)
        company = await service.set_company_status(company_id=decode_id(id, "Company"), status=status)
        return {"company": Company.from_model(company),
                "_audit": {**_audit(company, "Company", {"status": status.value}), "platform": True}}

    return await run_mutation(info, CompanyPayload, TenancyError, run, audit="company." + status.value)


async def _save_community(info: Info, id: strawberry.ID | None, data: CommunityInput) -> CommunityPayload:
    async def run() -> dict[str, Any]:
        pk = decode_id(id, "Community") if id is not None else None
        company_id, scope = community_scope(info.context, Perm.COMMUNITY_WRITE)
        row = await service.save_community(
            company_id=company_id, community_id=pk, name=data.name, address=data.address, timezone=data.timezone,
            communities=scope, latitude=data.latitude, longitude=data.longitude,
        )
        return {"community": Community.from_model(row),
                "_audit": _audit(row, "Community", {"name": row.name, "address": row.address})}

    return await run_mutation(info, CommunityPayload, TenancyError, run,
                              audit="community.update" if id else "community.create")


async def _save_building(
    info: Info, id: strawberry.ID | None, community_id: strawberry.ID | None, data: BuildingInput
) -> BuildingPayload:
    async def run() -> dict[str, Any]:
        pk = decode_id(id, "Building") if id is not None else None
        cpk = decode_id(community_id, "Community", "communityId") if community_id is not None else None
        company_id, scope = community_scope(info.context, Perm.UNIT_WRITE)
        row = await service.save_building(
            company_id=company_id, building_id=pk, community_id=cpk, name=data.name, floors=data.floors,
            communities=scope,
        )
        return {"building": Building.from_model(row),
                "_audit": _audit(row, "Building", {"name": row.name, "floors": row.floors})}

    return await run_mutation(info, BuildingPayload, TenancyError, run,
                              audit="building.update" if id else "building.create")


async def _save_unit(info: Info, id: strawberry.ID | None, building_id: strawberry.ID | None, data: UnitInput) -> UnitPayload:
    async def run() -> dict[str, Any]:
        pk = decode_id(id, "Unit") if id is not None else None
        bpk = decode_id(building_id, "Building", "buildingId") if building_id is not None else None
        company_id, scope = community_scope(info.context, Perm.UNIT_WRITE)
        row = await service.save_unit(
            company_id=company_id, unit_id=pk, building_id=bpk, number=data.number, floor=data.floor,
            area=str(data.area), unit_type=models.UnitType(data.type), communities=scope,
        )
        summary = {"number": row.number, "floor": row.floor, "area": str(row.area), "type": row.type.value}
        return {"unit": Unit.from_model(row), "_audit": _audit(row, "Unit", summary)}

    return await run_mutation(info, UnitPayload, TenancyError, run, audit="unit.update" if id else "unit.create")
