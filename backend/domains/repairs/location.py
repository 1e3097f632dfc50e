"""Technician position sharing: per-ticket consent, the latest position, 2-hour expiry, deletion when work ends.

The technician opts in for one ticket (while it is assigned to them or in progress); positions are accepted
only while the work is in progress, shown to the reporter only then, and a row older than two hours is treated
as gone (and purged by the maintenance job). Leaving work (completion, reassignment, cancel) deletes the row
and the consent in the same transaction as the status change (workflow.transition).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime
from backend.domains.repairs.dispatch import worker_ticket
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.models import TechnicianPosition, Ticket, TicketStatus
from backend.domains.repairs.workflow import OPEN, now, ticket_channel

S = TicketStatus
POSITION_TTL = timedelta(hours=2)
# A phone app reports every 10–30 s; this leaves room for bursts and refuses floods.
POSITION_RULES = (Rule("ticket-position", 240, 3600),)


async def set_consent(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
                      ticket_id: int, consent: bool) -> Ticket:
    """The assigned technician allows (or stops) sharing their position for this ticket; stopping deletes it."""
    ticket = await worker_ticket(company_id=company_id, communities=communities, staff_id=staff_id,
                                 ticket_id=ticket_id)
    if ticket.technician_id != staff_id or ticket.status not in OPEN:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, "Only while the ticket is yours and open", "id")
    changed = await Ticket.filter(id=ticket.id, technician_id=staff_id, status__in=list(OPEN)).update(
        location_consent=consent, updated_at=now())
    if not changed:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, "The ticket changed meanwhile", "id")
    ticket.location_consent = consent
    if not consent:
        await TechnicianPosition.filter(ticket_id=ticket.id).delete()
    events.emit(ticket_channel(ticket.id), {"ticketId": ticket.id, "kind": "position"})
    return ticket


def _coordinate(value: float, limit: float, field: str) -> float:
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise DomainError(Codes.INVALID, f"From -{limit:g} to {limit:g}", field)
    return round(value, 6)


async def report(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
                 ticket_id: int, latitude: float, longitude: float, accuracy_m: int | None) -> Ticket:
    """Store the technician's latest position for a ticket in progress that they consented to share."""
    ticket = await worker_ticket(company_id=company_id, communities=communities, staff_id=staff_id,
                                 ticket_id=ticket_id)
    if ticket.technician_id != staff_id or ticket.status != S.IN_PROGRESS:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, "Positions are shared only while you work on it", "id")
    if not ticket.location_consent:
        raise DomainError(RepairCode.LOCATION_NOT_SHARED, "Allow sharing your position for this ticket first", "id")
    lat = _coordinate(latitude, 90, "latitude")
    lng = _coordinate(longitude, 180, "longitude")
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        raise DomainError(Codes.INVALID, "From 0 to 100000 metres", "accuracy")
    await get_runtime().limiter.hit(f"user:{actor_id}", POSITION_RULES, field="id")
    at = now()
    values: dict[str, Any] = {"company_id": company_id, "staff_id": staff_id, "latitude": lat, "longitude": lng,
              "accuracy_m": accuracy_m, "recorded_at": at, "expires_at": at + POSITION_TTL}
    if not await TechnicianPosition.filter(ticket_id=ticket.id).update(**values):
        try:
            async with in_transaction():  # a savepoint: a concurrent first report's insert wins, this one updates
                await TechnicianPosition.create(ticket_id=ticket.id, **values)
        except IntegrityError:
            await TechnicianPosition.filter(ticket_id=ticket.id).update(**values)
    events.emit(ticket_channel(ticket.id), {"ticketId": ticket.id, "kind": "position"})
    return ticket


async def current_positions(ticket_ids: list[int], *, at: datetime | None = None) -> dict[int, TechnicianPosition]:
    """Unexpired positions of the given tickets (the caller decides who may see them)."""
    rows = await TechnicianPosition.filter(ticket_id__in=ticket_ids, expires_at__gt=at or now())
    return {r.ticket_id: r for r in rows}


async def purge_expired(*, at: datetime | None = None) -> int:
    """Delete positions past their 2-hour life; returns how many."""
    return await TechnicianPosition.filter(expires_at__lte=at or now()).delete()
