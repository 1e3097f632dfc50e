"""Dispatch: staff accept, reject, assign and close; technicians grab, start, note and complete.

Automatic assignment (when the community turns it on) runs when a ticket reaches `accepted`: on staff
acceptance and on a reopen. Tickets are not accepted automatically: staff look at each one first.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from backend.core import validate
from backend.core.errors import Codes, DomainError
from backend.core.orm import column
from backend.core.permissions import Perm
from backend.domains.accounts.models import Role, StaffGrant, StaffMember
from backend.domains.repairs import config, workflow
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.models import EventKind, RepairCategory, TechnicianSkill, Ticket, TicketStatus
from backend.domains.repairs.workflow import OPEN, transition

S = TicketStatus
MAX_SKILLS = 50


async def technician_ids(*, company_id: int, community_id: int | None) -> list[int]:
    """Active staff of the company with ticket.work in the community (any community when None), by id."""
    roles = [r["id"] for r in await Role.all().values("id", "permissions")
             if Perm.TICKET_WORK.value in (r["permissions"] or [])]
    if not roles:
        return []
    qs = StaffGrant.filter(company_id=company_id, role_id__in=roles, staff__is_active=True, staff__user__is_active=True)
    if community_id is not None:
        qs = qs.filter(Q(community_id=None) | Q(community_id=community_id))
    ids: list[int] = await column(qs, "staff_id")
    return sorted(set(ids))


async def open_counts(staff_ids: list[int]) -> dict[int, dict[TicketStatus, int]]:
    """Assigned and in-progress ticket counts per technician (one grouped query)."""
    out: dict[int, dict[TicketStatus, int]] = {s: {S.ASSIGNED: 0, S.IN_PROGRESS: 0} for s in staff_ids}
    if staff_ids:
        rows = await Ticket.filter(technician_id__in=staff_ids, status__in=list(OPEN)).group_by(
            "technician_id", "status").annotate(n=Count("id")).values("technician_id", "status", "n")
        for r in rows:
            out[r["technician_id"]][S(r["status"])] = r["n"]
    return out


async def choose_technician(ticket: Ticket) -> int | None:
    """The skilled technician of the community with the fewest open tickets (ties: lowest id)."""
    ids = await technician_ids(company_id=ticket.company_id, community_id=ticket.community_id)
    found: list[int] = await column(TechnicianSkill.filter(
        staff_id__in=ids, category_id=ticket.category_id), "staff_id") if ids else []
    skilled = sorted(set(found))
    if not skilled:
        return None
    counts = await open_counts(skilled)
    return min(skilled, key=lambda s: (sum(counts[s].values()), s))


async def auto_assign(ticket: Ticket) -> Ticket:
    """Assign an accepted ticket automatically when its community has that turned on."""
    settings = await config.get_settings(ticket.community_id)
    if not settings.auto_assign or ticket.status != S.ACCEPTED or ticket.technician_id is not None:
        return ticket
    chosen = await choose_technician(ticket)
    if chosen is None:
        return ticket
    return await transition(ticket, EventKind.ASSIGNED, actor_id=None, note="auto", technician_id=chosen)


# --------------------------------------------------------------------------------------------------- staff


async def dispatchable(*, company_id: int, communities: frozenset[int] | None, ticket_id: int) -> Ticket:
    row = await Ticket.filter(id=ticket_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
    return row


async def accept(*, company_id: int, communities: frozenset[int] | None, ticket_id: int, actor_id: int) -> Ticket:
    """Staff accept a submitted ticket; automatic assignment follows when the community has it on."""
    ticket = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    ticket = await transition(ticket, EventKind.ACCEPTED, actor_id=actor_id)
    return await auto_assign(ticket)


async def reject(*, company_id: int, communities: frozenset[int] | None, ticket_id: int, actor_id: int,
                 reason: str) -> Ticket:
    """Staff turn a ticket down with a reason."""
    ticket = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    reason = validate.text(reason, "reason", 200, required=True)
    return await transition(ticket, EventKind.REJECTED, actor_id=actor_id, note=reason, reject_reason=reason)


async def assign(*, company_id: int, communities: frozenset[int] | None, ticket_id: int, actor_id: int,
                 technician_id: int, note: str | None = None) -> Ticket:
    """Staff assign an accepted ticket to a technician of its community, or reassign it."""
    ticket = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    if technician_id not in await technician_ids(company_id=company_id, community_id=ticket.community_id):
        raise DomainError(Codes.NOT_FOUND, "No such technician in this community", "technicianId")
    if ticket.technician_id == technician_id:
        raise DomainError(RepairCode.ALREADY_ASSIGNED, "Already assigned to this technician", "technicianId")
    kind = EventKind.ASSIGNED if ticket.status == S.ACCEPTED else EventKind.REASSIGNED
    return await transition(ticket, kind, actor_id=actor_id, note=validate.text(note, "note", workflow.MAX_NOTE),
                            technician_id=technician_id, started_at=None)


async def close(*, company_id: int, communities: frozenset[int] | None, ticket_id: int, actor_id: int,
                note: str | None = None) -> Ticket:
    """Staff close a completed (or rated) ticket."""
    ticket = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    return await transition(ticket, EventKind.CLOSED, actor_id=actor_id,
                            note=validate.text(note, "note", workflow.MAX_NOTE))


async def set_skills(*, company_id: int, staff_id: int, category_ids: list[int]) -> list[RepairCategory]:
    """Replace the categories a technician handles."""
    if len(category_ids) > MAX_SKILLS:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_SKILLS} categories", "categoryIds")
    if not await StaffMember.filter(id=staff_id, company_id=company_id).exists():
        raise DomainError(Codes.NOT_FOUND, "No such staff member", "staffId")
    wanted = set(category_ids)
    cats = list(await RepairCategory.filter(id__in=wanted, company_id=company_id).order_by("sort", "id"))
    if len(cats) != len(wanted):
        raise DomainError(Codes.NOT_FOUND, "No such category", "categoryIds")
    await TechnicianSkill.filter(staff_id=staff_id).delete()
    await TechnicianSkill.bulk_create([TechnicianSkill(company_id=company_id, staff_id=staff_id, category_id=c.id)
                                       for c in cats])
    return cats


# ---------------------------------------------------------------------------------------------- technicians


async def grab(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
               ticket_id: int) -> Ticket:
    """A technician takes an unassigned accepted ticket of their community, when the community allows it.

    Two technicians grabbing at once: the conditional update lets one win; the other gets ALREADY_ASSIGNED.
    """
    ticket = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    if ticket.technician_id is not None and ticket.status in OPEN:
        raise DomainError(RepairCode.ALREADY_ASSIGNED, "This ticket has a technician", "id")
    if ticket.status == S.ACCEPTED and not (await config.get_settings(ticket.community_id)).allow_grab:
        raise DomainError(RepairCode.GRAB_DISABLED, "This community assigns tickets; grabbing is off", "id")
    # Grabbing is taking the job: no separate 接单 step follows.
    return await transition(ticket, EventKind.GRABBED, actor_id=actor_id, expect_technician=None,
                            technician_id=staff_id, acknowledged_at=workflow.now())


async def worker_ticket(*, company_id: int, communities: frozenset[int] | None, staff_id: int,
                        ticket_id: int) -> Ticket:
    """A ticket of the technician's communities that is theirs or has nobody (then only the table decides)."""
    row = await dispatchable(company_id=company_id, communities=communities, ticket_id=ticket_id)
    if row.technician_id not in (None, staff_id):
        raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
    return row


async def acknowledge(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
                      ticket_id: int) -> Ticket:
    """The assigned technician confirms the job (接单), once per assignment; the reporter is told."""
    ticket = await worker_ticket(company_id=company_id, communities=communities, staff_id=staff_id,
                                 ticket_id=ticket_id)
    if ticket.status == S.ASSIGNED and ticket.acknowledged_at is not None:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, "You took this job already", "id")
    at = workflow.now()
    return await transition(ticket, EventKind.ACKNOWLEDGED, actor_id=actor_id, expect_technician=staff_id,
                            acknowledged_at=at)


async def start(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
                ticket_id: int) -> Ticket:
    """The assigned technician starts work (which also confirms the job if they had not)."""
    ticket = await worker_ticket(company_id=company_id, communities=communities, staff_id=staff_id,
                                 ticket_id=ticket_id)
    extra: dict[str, Any] = {} if ticket.acknowledged_at is not None else {"acknowledged_at": workflow.now()}
    return await transition(ticket, EventKind.STARTED, actor_id=actor_id, expect_technician=staff_id, **extra)


async def complete(*, company_id: int, communities: frozenset[int] | None, staff_id: int, actor_id: int,
                   ticket_id: int, note: str | None, file_ids: list[int] | None = None) -> Ticket:
    """The assigned technician finishes, with photos of the work; completion time and SLA are stored for the
    statistics."""
    ticket = await worker_ticket(company_id=company_id, communities=communities, staff_id=staff_id,
                                 ticket_id=ticket_id)
    at = workflow.now()
    created = ticket.created_at if ticket.created_at.tzinfo else ticket.created_at.replace(tzinfo=UTC)
    due = ticket.finish_due if ticket.finish_due.tzinfo else ticket.finish_due.replace(tzinfo=UTC)
    return await transition(
        ticket, EventKind.COMPLETED, actor_id=actor_id, note=validate.text(note, "note", workflow.MAX_NOTE),
        file_ids=file_ids, expect_technician=staff_id, completed_at=at, completion_minutes=int((at - created).total_seconds() // 60),
        sla_met=at <= due,
    )
