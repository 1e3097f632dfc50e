"""Tenancy: companies (platform), communities, buildings and units (company staff)."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import available_timezones

from tortoise.exceptions import IntegrityError

from backend.core import validate
from backend.core.errors import Codes, DomainError
from backend.core.orm import column
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, StaffInvitation, StaffMember
from backend.domains.residents.models import UnitBinding
from backend.domains.tenancy.errors import TenancyCode
from backend.domains.tenancy.models import Building, Community, Company, CompanyStatus, Unit, UnitType

UNIT_NUMBER = re.compile(r"^[A-Za-z0-9\-]{1,20}$")
MAX_BULK = 2000
_TIMEZONES: set[str] = set()


async def create_company(
    *, name: str, admin_phone: str, admin_name: str, admin_password: str | None
) -> tuple[Company, StaffMember | StaffInvitation]:
    """Create a property company and its first company admin (an invitation when the phone has an account)."""
    name = validate.text(name, "name", 100, required=True)
    if await Company.filter(name=name).exists():
        raise DomainError(Codes.DUPLICATE, "A company with this name exists", "name")
    company = await Company.create(name=name, contact_name=accounts.clean_name(admin_name, "adminName"))
    role = await Role.get(code="company_admin")
    staff = await accounts.create_staff(
        company_id=company.id, phone=admin_phone, name=admin_name, password=admin_password, title="",
        grants=[accounts.GrantSpec(role_id=role.id, community_id=None)],
    )
    return company, staff


async def set_company_status(*, company_id: int, status: CompanyStatus) -> Company:
    """Disable or re-enable a company; its staff lose access on their next request."""
    company = await Company.filter(id=company_id).first()
    if company is None:
        raise DomainError(Codes.NOT_FOUND, "No such company", "id")
    company.status = status
    await company.save(update_fields=["status", "updated_at"])
    return company


# Entries of the tz database that are files, not zones: never a community's zone.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})


def _timezone(tz: str | None) -> str:
    """An IANA zone name exactly as the database spells it ("Asia/Shanghai"; "Beijing" or "asia/shanghai" are
    INVALID); empty means Asia/Shanghai."""
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones() - _NOT_ZONES)
    value = (tz or "").strip() or "Asia/Shanghai"
    if value not in _TIMEZONES:
        raise DomainError(Codes.INVALID, "Unknown time zone", "timezone")
    return value


async def get_community(*, company_id: int, community_id: int, communities: frozenset[int] | None) -> Community:
    row = await Community.filter(id=community_id, company_id=company_id).first()
    if row is None or (communities is not None and row.id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
    return row


async def save_community(
    *, company_id: int, community_id: int | None, name: str, address: str | None, timezone: str | None,
    communities: frozenset[int] | None, latitude: float | None = None, longitude: float | None = None,
) -> Community:
    """Create (no id) or update a community."""
    name = validate.text(name, "name", 100, required=True)
    address = validate.text(address, "address", 255)
    tz = _timezone(timezone)
    lat, lng = _position(latitude, longitude)
    if community_id is None:
        if communities is not None:
            raise DomainError(Codes.FORBIDDEN, "Only company-wide staff can add communities")
        row = Community(company_id=company_id)
    else:
        row = await get_community(company_id=company_id, community_id=community_id, communities=communities)
    if await Community.filter(company_id=company_id, name=name).exclude(id=row.id or 0).exists():
        raise DomainError(Codes.DUPLICATE, "A community with this name exists", "name")
    row.name, row.address, row.timezone, row.latitude, row.longitude = name, address, tz, lat, lng
    await row.save()
    return row


def _position(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """Both coordinates (WGS-84 degrees) or neither."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise DomainError(Codes.REQUIRED, "Give both latitude and longitude, or neither",
                          "latitude" if latitude is None else "longitude")
    for value, bound, field in ((latitude, 90, "latitude"), (longitude, 180, "longitude")):
        if not math.isfinite(value) or abs(value) > bound:
            raise DomainError(Codes.INVALID, f"{field} must be between -{bound} and {bound}", field)
    return round(latitude, 6), round(longitude, 6)


async def delete_community(*, company_id: int, community_id: int, communities: frozenset[int] | None) -> None:
    row = await get_community(company_id=company_id, community_id=community_id, communities=communities)
    if await Building.filter(community_id=row.id).exists():
        raise DomainError(TenancyCode.IN_USE, "Delete its buildings first", "id")
    await row.delete()


async def get_building(*, company_id: int, building_id: int, communities: frozenset[int] | None) -> Building:
    row = await Building.filter(id=building_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such building", "buildingId")
    return row


async def save_building(
    *, company_id: int, building_id: int | None, community_id: int | None, name: str, floors: int | None,
    communities: frozenset[int] | None,
) -> Building:
    """Create (with a community) or update a building."""
    name = validate.text(name, "name", 50, required=True)
    if floors is not None and not 0 <= floors <= 200:
        raise DomainError(Codes.INVALID, "Floors must be between 0 and 200", "floors")
    if building_id is None:
        if community_id is None:
            raise DomainError(Codes.REQUIRED, "Choose a community", "communityId")
        community = await get_community(company_id=company_id, community_id=community_id, communities=communities)
        row = Building(company_id=company_id, community_id=community.id)
    else:
        row = await get_building(company_id=company_id, building_id=building_id, communities=communities)
    if await Building.filter(community_id=row.community_id, name=name).exclude(id=row.id or 0).exists():
        raise DomainError(Codes.DUPLICATE, "A building with this name exists", "name")
    row.name = name
    if floors is not None:
        row.floors = floors
    await row.save()
    return row


async def delete_building(*, company_id: int, building_id: int, communities: frozenset[int] | None) -> None:
    row = await get_building(company_id=company_id, building_id=building_id, communities=communities)
    if await Unit.filter(building_id=row.id).exists():
        raise DomainError(TenancyCode.IN_USE, "Delete its units first", "id")
    await row.delete()


def clean_area(value: str | Decimal | float | None, field: str = "area") -> Decimal:
    try:
        area = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(Codes.INVALID, "Area must be a number", field) from None
    if not area.is_finite() or area <= 0 or area >= Decimal("100000"):
        raise DomainError(Codes.INVALID, "Area must be between 0 and 100000 m²", field)
    return area


def clean_unit_number(value: str, field: str = "number") -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(Codes.REQUIRED, "Required", field)
    if len(value) > 20:
        raise DomainError(Codes.TOO_LONG, "At most 20 characters", field)
    if not UNIT_NUMBER.match(value):
        raise DomainError(Codes.INVALID, "Letters, digits and dashes only", field)
    return value


async def get_unit(*, company_id: int, unit_id: int, communities: frozenset[int] | None) -> Unit:
    row = await Unit.filter(id=unit_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such unit", "unitId")
    return row


async def save_unit(
    *, company_id: int, unit_id: int | None, building_id: int | None, number: str, floor: int,
    area: str, unit_type: UnitType, communities: frozenset[int] | None,
) -> Unit:
    """Create (in a building) or update a unit."""
    number = clean_unit_number(number)
    if not -10 <= floor <= 200:
        raise DomainError(Codes.INVALID, "Floor must be between -10 and 200", "floor")
    area_d = clean_area(area)
    if unit_id is None:
        if building_id is None:
            raise DomainError(Codes.REQUIRED, "Choose a building", "buildingId")
        building = await get_building(company_id=company_id, building_id=building_id, communities=communities)
        row = Unit(company_id=company_id, community_id=building.community_id, building_id=building.id)
    else:
        row = await get_unit(company_id=company_id, unit_id=unit_id, communities=communities)
    if await Unit.filter(building_id=row.building_id, number=number).exclude(id=row.id or 0).exists():
        raise DomainError(Codes.DUPLICATE, "This unit number exists in the building", "number")
    row.number, row.floor, row.area, row.type = number, floor, area_d, unit_type
    await row.save()
    return row


async def delete_unit(*, company_id: int, unit_id: int, communities: frozenset[int] | None) -> None:
    row = await get_unit(company_id=company_id, unit_id=unit_id, communities=communities)
    if await UnitBinding.filter(unit_id=row.id).exists():
        raise DomainError(TenancyCode.IN_USE, "The unit has residents", "id")
    await row.delete()


async def bulk_create_units(
    *, company_id: int, building_id: int, floor_from: int, floor_to: int, per_floor: int, area: str,
    unit_type: UnitType, communities: frozenset[int] | None,
) -> list[Unit]:
    """Create floor × per-floor units numbered like 1201 (floor 12, unit 01); existing numbers are refused."""
    building = await get_building(company_id=company_id, building_id=building_id, communities=communities)
    if not (1 <= floor_from <= floor_to <= 200):
        raise DomainError(Codes.INVALID, "Floors must run upward from 1 to 200", "floorFrom")
    if not 1 <= per_floor <= 99:
        raise DomainError(Codes.INVALID, "1 to 99 units a floor", "perFloor")
    total = (floor_to - floor_from + 1) * per_floor
    if total > MAX_BULK:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_BULK} units at once", "perFloor")
    area_d = clean_area(area)
    numbers = [(f, f"{f}{i:02d}") for f in range(floor_from, floor_to + 1) for i in range(1, per_floor + 1)]
    clash: list[str] = await column(Unit.filter(building_id=building.id, number__in=[n for _, n in numbers]), "number")
    if clash:
        raise DomainError(Codes.DUPLICATE, "Units exist already: " + ", ".join(sorted(clash)[:5]), "floorFrom")
    rows = [
        Unit(company_id=company_id, community_id=building.community_id, building_id=building.id,
             number=n, floor=f, area=area_d, type=unit_type)
        for f, n in numbers
    ]
    try:
        await Unit.bulk_create(rows, batch_size=500)
    except IntegrityError:
        raise DomainError(Codes.DUPLICATE, "Units were created at the same time", "floorFrom") from None
    if floor_to > building.floors:
        building.floors = floor_to
        await building.save(update_fields=["floors", "updated_at"])
    return rows
