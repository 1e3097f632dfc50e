"""Repairs configuration: a company's categories, a community's settings, and the SLA dates they give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.core import validate
from backend.core.errors import Codes, DomainError
from backend.domains.repairs.models import RepairCategory, RepairSettings, Urgency
from backend.domains.tenancy.models import Community

DEFAULT_CATEGORIES = [("水电", "Water and power"), ("门窗", "Doors and windows"), ("电梯", "Elevator"),
                      ("公共设施", "Public facilities"), ("其他", "Other")]


async def ensure_categories(company_id: int) -> None:
    """Create the default categories the first time a company needs them."""
    if await RepairCategory.filter(company_id=company_id).exists():
        return
    rows = [RepairCategory(company_id=company_id, name=n, name_en=en, sort=i)
            for i, (n, en) in enumerate(DEFAULT_CATEGORIES)]
    await RepairCategory.bulk_create(rows, ignore_conflicts=True)


async def list_categories(*, company_id: int, include_disabled: bool) -> list[RepairCategory]:
    """A company's categories in display order (defaults created on first use)."""
    await ensure_categories(company_id)
    qs = RepairCategory.filter(company_id=company_id)
    if not include_disabled:
        qs = qs.filter(is_active=True)
    return list(await qs.order_by("sort", "id"))


async def save_category(
    *, company_id: int, category_id: int | None, name: str | None, name_en: str | None, sort: int | None,
    active: bool | None,
) -> RepairCategory:
    """Create a category, or change (rename, reorder, disable, enable) one of the company's."""
    await ensure_categories(company_id)
    if category_id is None:
        row = RepairCategory(company_id=company_id)
    else:
        found = await RepairCategory.filter(id=category_id, company_id=company_id).first()
        if found is None:
            raise DomainError(Codes.NOT_FOUND, "No such category", "id")
        row = found
    if name is not None or category_id is None:
        row.name = validate.text(name, "name", 50, required=True)
    if name_en is not None:
        row.name_en = validate.text(name_en, "nameEn", 50)
    if sort is not None:
        if not 0 <= sort <= 10000:
            raise DomainError(Codes.INVALID, "Sort between 0 and 10000", "sort")
        row.sort = sort
    if active is not None:
        row.is_active = active
    if await RepairCategory.filter(company_id=company_id, name=row.name).exclude(id=row.id or 0).exists():
        raise DomainError(Codes.DUPLICATE, "A category with this name exists", "name")
    await row.save()
    return row


# -------------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SettingsSpec:
    allow_grab: bool | None = None
    auto_assign: bool | None = None
    normal_accept_minutes: int | None = None
    normal_finish_hours: int | None = None
    urgent_accept_minutes: int | None = None
    urgent_finish_hours: int | None = None


async def get_settings(community_id: int) -> RepairSettings:
    """The community's settings, or the defaults (not saved) when it has none."""
    row = await RepairSettings.filter(community_id=community_id).first()
    return row or RepairSettings(community_id=community_id)


async def save_settings(*, company_id: int, community_id: int, spec: SettingsSpec) -> RepairSettings:
    """Change a community's repair settings."""
    if not await Community.filter(id=community_id, company_id=company_id).exists():
        raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
    row = await RepairSettings.filter(community_id=community_id).first()
    if row is None:
        row = RepairSettings(company_id=company_id, community_id=community_id)
    limits = {"normal_accept_minutes": (1, 10080), "urgent_accept_minutes": (1, 10080),
              "normal_finish_hours": (1, 2160), "urgent_finish_hours": (1, 2160)}
    for name, value in vars(spec).items():
        if value is None:
            continue
        if name in limits:
            low, high = limits[name]
            if not low <= value <= high:
                field = "".join(p.capitalize() if i else p for i, p in enumerate(name.split("_")))
                raise DomainError(Codes.INVALID, f"Between {low} and {high}", field)
        setattr(row, name, value)
    try:
        async with in_transaction():
            await row.save()
    except IntegrityError:  # another request created the row first: change that one
        existing = await RepairSettings.get(community_id=community_id)
        for name, value in vars(spec).items():
            if value is not None:
                setattr(existing, name, value)
        await existing.save()
        row = existing
    return row


def due_dates(settings: RepairSettings, urgency: Urgency, at: datetime) -> tuple[datetime, datetime]:
    if urgency == Urgency.URGENT:
        return (at + timedelta(minutes=settings.urgent_accept_minutes),
                at + timedelta(hours=settings.urgent_finish_hours))
    return at + timedelta(minutes=settings.normal_accept_minutes), at + timedelta(hours=settings.normal_finish_hours)
