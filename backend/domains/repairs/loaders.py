"""Batch loaders for repairs: categories, staff members, timelines and skills."""

from __future__ import annotations

from collections import defaultdict

from backend.core.context import Context, LoaderKey, loader
from backend.core.loaders import by_pk
from backend.domains.accounts.models import StaffMember
from backend.domains.repairs.location import current_positions
from backend.domains.repairs.models import (
    RepairCategory,
    RepairSettings,
    TechnicianPosition,
    TechnicianSkill,
    Ticket,
    TicketEvent,
)


async def events_by_ticket(ctx: Context, keys: list[int]) -> list[list[TicketEvent]]:
    out: dict[int, list[TicketEvent]] = defaultdict(list)
    for e in await TicketEvent.filter(ticket_id__in=keys).order_by("id"):
        out[e.ticket_id].append(e)
    return [out.get(k, []) for k in keys]


async def skills_by_staff(ctx: Context, keys: list[int]) -> list[list[RepairCategory]]:
    out: dict[int, list[RepairCategory]] = defaultdict(list)
    for s in await TechnicianSkill.filter(staff_id__in=keys).prefetch_related("category").order_by("category__sort", "id"):
        out[s.staff_id].append(s.category)
    return [out.get(k, []) for k in keys]


async def positions_by_ticket(ctx: Context, keys: list[int]) -> list[TechnicianPosition | None]:
    found = await current_positions(keys)
    return [found.get(k) for k in keys]


async def grab_allowed(ctx: Context, keys: list[int]) -> list[bool]:
    """Per community: whether technicians may grab its accepted, unassigned tickets."""
    allowed = set(await RepairSettings.filter(community_id__in=keys, allow_grab=True).values_list("community_id",
                                                                                                 flat=True))
    return [k in allowed for k in keys]


REPAIR_CATEGORY: LoaderKey[int, RepairCategory | None] = loader("repair_category", by_pk(RepairCategory),
                                                                  shared=True)
GRAB_ALLOWED: LoaderKey[int, bool] = loader("grab_allowed", grab_allowed, shared=True)
REPAIRS_STAFF: LoaderKey[int, StaffMember | None] = loader("repairs_staff", by_pk(StaffMember), shared=True)
TICKET_EVENTS: LoaderKey[int, list[TicketEvent]] = loader("ticket_events", events_by_ticket, shared=True)
SKILLS_BY_STAFF: LoaderKey[int, list[RepairCategory]] = loader("skills_by_staff", skills_by_staff, shared=True)
TICKET_POSITION: LoaderKey[int, TechnicianPosition | None] = loader("ticket_position", positions_by_ticket,
                                                                    shared=True)
# Unscoped by design: only subscriptions that have checked access to the whole community read through it.
TICKET_ROW: LoaderKey[int, Ticket | None] = loader("ticket_row", by_pk(Ticket), shared=True)
