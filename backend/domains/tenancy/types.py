"""GraphQL types of the tenancy domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from backend.core.context import Context, LoaderKey
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, Node, PayloadError, error_type
from backend.core.pagination import Connection, LoadedCount, build_connection, page_key
from backend.core.permissions import Perm, covers, require_user
from backend.core.prefetch import loaded
from backend.domains.residents.keys import UNIT_HOUSEHOLD, UNIT_RESIDENTS
from backend.domains.tenancy import models
from backend.domains.tenancy.errors import TenancyCode
from backend.domains.tenancy.loaders import (
    BUILDING,
    BUILDING_COUNT_BY_COMMUNITY,
    BUILDINGS_PAGE,
    COMMUNITY,
    UNIT_COUNT_BY_BUILDING,
    UNIT_COUNT_BY_COMMUNITY,
    UNITS_PAGE,
    PageKey,
)
from backend.domains.tenancy.models import CompanyStatus, UnitType

if TYPE_CHECKING:
    from backend.domains.residents.types import UnitBinding

strawberry.enum(CompanyStatus, description="Whether a company may use Courtyard.")
strawberry.enum(UnitType, description="What a unit is used for.")


@error_type("Tenancy", TenancyCode)
class TenancyError(PayloadError):
    pass


async def nested_page(
    ctx: Context, page_loader: LoaderKey[PageKey, list[Any]], count_loader: LoaderKey[int, int], model: Any,
    parent_field: str, parent_pk: int,
    where: tuple[int, int], first: int | None, after: str | None, search: str | None, perm: Perm,
    to_node: Callable[[Any], Any],
) -> Connection[Any]:
    """A child connection of an already visible parent, batched across parents through loaders; `where` is the
    parent's (company, community), in which the caller must hold `perm` to list its children."""
    require_user(ctx)
    if not covers(ctx, perm, *where):
        raise DomainError(Codes.FORBIDDEN, "You lack the permission " + perm.value + " here")
    term = (search or "").strip() or None
    if term is not None and len(term) > 50:
        raise DomainError(Codes.TOO_LONG, "Search at most 50 characters", "search")
    size, after_pk = page_key(first, after)
    rows = await page_loader.of(ctx).load((parent_pk, size, after_pk, term)) if size else []
    counter: Any = (LoadedCount(count_loader.of(ctx), parent_pk) if term is None
                    else model.filter(**{parent_field: parent_pk, ("name__icontains" if model is models.Building
                                                                    else "number__startswith"): term}))
    return build_connection(rows, size=size, after=after, to_node=to_node, counter=counter)


@strawberry.type(description="A property company: the tenant that runs communities.")
class Company(Node):
    name: str = strawberry.field(description="Registered name.")
    status: CompanyStatus = strawberry.field(description="Active or disabled.")
    contact_name: str = strawberry.field(description="Name of the first administrator.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")

    @classmethod
    def from_model(cls, m: models.Company) -> Company:
        return cls(_pk=m.id, name=m.name, status=m.status, contact_name=m.contact_name, created_at=m.created_at)


@strawberry.type(description="A residential community (小区).")
class Community(Node):
    name: str = strawberry.field(description="Name of the community.")
    address: str = strawberry.field(description="Street address.")
    timezone: str = strawberry.field(description="IANA time zone that times are shown in.")
    latitude: float | None = strawberry.field(description="Latitude in WGS-84 degrees, when staff gave the "
                                                          "community's position; distances are measured from it.")
    longitude: float | None = strawberry.field(description="Longitude in WGS-84 degrees, with latitude.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    _company_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.Community) -> Community:
        return cls(_pk=m.id, name=m.name, address=m.address, timezone=m.timezone, latitude=m.latitude,
                   longitude=m.longitude, created_at=m.created_at, _company_id=m.company_id)

    @strawberry.field(description="How many units the community has.")
    @loaded(UNIT_COUNT_BY_COMMUNITY, lambda self: self._pk)
    def unit_count(self, count: int) -> int:
        return count

    @strawberry.field(description="Buildings of this community.")
    async def buildings(
        self, info: Info, first: int | None = 20, after: str | None = None, search: str | None = None
    ) -> Connection[Building]:
        return await nested_page(
            info.context, BUILDINGS_PAGE, BUILDING_COUNT_BY_COMMUNITY, models.Building, "community_id",
            self._pk, (self._company_id, self._pk), first, after, search, Perm.COMMUNITY_READ, Building.from_model,
        )


@strawberry.type(description="A building (楼栋) of a community.")
class Building(Node):
    name: str = strawberry.field(description="Name or number of the building.")
    floors: int = strawberry.field(description="Number of floors above ground.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    _community_id: strawberry.Private[int]
    _company_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.Building) -> Building:
        return cls(_pk=m.id, name=m.name, floors=m.floors, created_at=m.created_at, _community_id=m.community_id,
                   _company_id=m.company_id)

    @strawberry.field(description="The community the building is in.")
    @loaded(COMMUNITY, lambda self: self._community_id)
    def community(self, row: Any) -> Community:
        return Community.from_model(row)

    @strawberry.field(description="How many units the building has.")
    @loaded(UNIT_COUNT_BY_BUILDING, lambda self: self._pk)
    def unit_count(self, count: int) -> int:
        return count

    @strawberry.field(description="Units of this building.")
    async def units(
        self, info: Info, first: int | None = 20, after: str | None = None, search: str | None = None
    ) -> Connection[Unit]:
        return await nested_page(
            info.context, UNITS_PAGE, UNIT_COUNT_BY_BUILDING, models.Unit, "building_id",
            self._pk, (self._company_id, self._community_id), first, after, search, Perm.UNIT_READ, Unit.from_model,
        )


@strawberry.type(description="A unit (房屋): an apartment, shop or parking space.")
class Unit(Node):
    number: str = strawberry.field(description="Unit number within its building, e.g. 1201.")
    floor: int = strawberry.field(description="Floor the unit is on.")
    area: Decimal = strawberry.field(description="Floor area in m², two decimals.")
    type: UnitType = strawberry.field(description="Residential, commercial or parking.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    _building_id: strawberry.Private[int]
    _community_id: strawberry.Private[int]
    _company_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.Unit) -> Unit:
        return cls(
            _pk=m.id, number=m.number, floor=m.floor, area=m.area, type=m.type, created_at=m.created_at,
            _building_id=m.building_id, _community_id=m.community_id, _company_id=m.company_id,
        )

    @strawberry.field(description="The building the unit is in.")
    @loaded(BUILDING, lambda self: self._building_id)
    def building(self, row: Any) -> Building:
        return Building.from_model(row)

    @strawberry.field(description="The community the unit is in.")
    @loaded(COMMUNITY, lambda self: self._community_id)
    def community(self, row: Any) -> Community:
        return Community.from_model(row)

    @strawberry.field(description="Approved residents (owner, family, tenants); needs the owner.read permission.")
    @loaded(UNIT_RESIDENTS, lambda self: (self._pk, self._community_id, self._company_id))
    def residents(
        self, bindings: list[Any]
    ) -> list[Annotated[UnitBinding, strawberry.lazy("backend.domains.residents.types")]]:
        # residents.loaders checks who may see them and builds the objects (the type is referred to lazily)
        return bindings

    @strawberry.field(description="The household as the caller, a resident of this unit, sees it: approved members, "
                                  "and for its owners the invitations waiting for an answer; empty for anyone else.")
    @loaded(UNIT_HOUSEHOLD, lambda self: self._pk)
    def household(
        self, bindings: list[Any]
    ) -> list[Annotated[UnitBinding, strawberry.lazy("backend.domains.residents.types")]]:
        return bindings


@strawberry.input(description="Filters for the unit list.")
class UnitFilter:
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")
    building_id: strawberry.ID | None = strawberry.field(default=None, description="Only this building.")
    search: str | None = strawberry.field(default=None, description="Unit number starts with this.")
    floor: int | None = strawberry.field(default=None, description="Only this floor.")
    type: UnitType | None = strawberry.field(default=None, description="Only this type.")


@strawberry.input(description="A new or changed community.")
class CommunityInput:
    name: str = strawberry.field(description="Name, at most 100 characters.")
    address: str | None = strawberry.field(default=None, description="Street address.")
    timezone: str | None = strawberry.field(default=None, description="IANA time zone; Asia/Shanghai if empty.")
    latitude: float | None = strawberry.field(default=None, description="Where it is: latitude in WGS-84 degrees "
                                                                       "(with longitude, or neither).")
    longitude: float | None = strawberry.field(default=None, description="Longitude in WGS-84 degrees.")


@strawberry.input(description="A new or changed building.")
class BuildingInput:
    name: str = strawberry.field(description="Name, at most 50 characters.")
    floors: int | None = strawberry.field(default=None, description="Floors above ground.")


@strawberry.input(description="A new or changed unit.")
class UnitInput:
    number: str = strawberry.field(description="Unit number: letters, digits, dashes.")
    floor: int = strawberry.field(description="Floor, -10 to 200.")
    area: Decimal = strawberry.field(description="Area in m² (two decimals).")
    type: UnitType = strawberry.field(default=UnitType.RESIDENTIAL, description="Use of the unit.")


@strawberry.input(description="Create many units of a building at once, numbered floor + two digits.")
class UnitBulkInput:
    building_id: strawberry.ID = strawberry.field(description="The building.")
    floor_from: int = strawberry.field(description="First floor.")
    floor_to: int = strawberry.field(description="Last floor.")
    per_floor: int = strawberry.field(description="Units on each floor.")
    area: Decimal = strawberry.field(description="Area of each unit in m².")
    type: UnitType = strawberry.field(default=UnitType.RESIDENTIAL, description="Use of the units.")


@strawberry.type(description="Result of creating or changing a company.")
class CompanyPayload:
    company: Company | None = strawberry.field(description="The company, when it worked.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of creating or changing a community.")
class CommunityPayload:
    community: Community | None = strawberry.field(description="The community, when it worked.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of creating or changing a building.")
class BuildingPayload:
    building: Building | None = strawberry.field(description="The building, when it worked.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of creating or changing a unit.")
class UnitPayload:
    unit: Unit | None = strawberry.field(description="The unit, when it worked.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of creating units in bulk.")
class UnitBulkPayload:
    created_count: int | None = strawberry.field(description="How many units were created.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of a deletion.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the deleted object.")
    errors: list[TenancyError] = strawberry.field(description="Why it did not work.")
