"""Who sees which tickets: staff by ticket.read per community, technicians their own and grabbable ones,
owners the ones they reported. One helper builds the filter every list, node and subscription uses."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.permissions import Perm, has_perm, require_user
from backend.domains.repairs.models import RepairSettings, Ticket, TicketStatus


def staff_q(ctx: Context) -> Q | None:
    """Tickets the caller sees as staff (ticket.read, or ticket.work's narrower view); None if neither."""
    p = ctx.principal
    if p is None or p.company_id is None:
        return None
    parts: list[Q] = []
    if Perm.TICKET_READ in p.grants:
        scope = p.grants[Perm.TICKET_READ]
        parts.append(Q(company_id=p.company_id) if scope is None
                     else Q(company_id=p.company_id, community_id__in=list(scope)))
    if Perm.TICKET_WORK in p.grants and p.staff_id is not None:
        parts.append(Q(company_id=p.company_id, technician_id=p.staff_id))
        grabbable = Q(company_id=p.company_id, status=TicketStatus.ACCEPTED, technician_id=None,
                      community_id__in=Subquery(RepairSettings.filter(allow_grab=True).values("community_id")))
        scope = p.grants[Perm.TICKET_WORK]
        if scope is not None:
            grabbable &= Q(community_id__in=list(scope))
        parts.append(grabbable)
    if not parts:
        return None
    return Q(*parts, join_type="OR")


def staff_tickets(ctx: Context) -> Any:
    """The ticket queryset of staff lists; FORBIDDEN without ticket.read or ticket.work."""
    require_user(ctx)
    q = staff_q(ctx)
    if q is None:
        raise DomainError(Codes.FORBIDDEN, "You lack the permission ticket.read")
    return Ticket.filter(q)


def visible_tickets(ctx: Context) -> Any:
    """Tickets the caller may open: their own reports plus their staff view."""
    p = ctx.principal
    if p is None:
        return Ticket.filter(id=None)
    q = staff_q(ctx)
    own = Q(reporter_id=p.user_id)
    return Ticket.filter(own if q is None else Q(own, q, join_type="OR"))


def can_dispatch(ctx: Context, ticket: Ticket) -> bool:
    p = ctx.principal
    return p is not None and ticket.company_id == p.company_id and has_perm(  # type: ignore[attr-defined]
        ctx, Perm.TICKET_DISPATCH, ticket.community_id)  # type: ignore[attr-defined]


def is_staff_viewer(ctx: Context, ticket: Ticket) -> bool:
    """Staff of the ticket's company who may read it (not merely its reporter)."""
    p = ctx.principal
    if p is None or ticket.company_id != p.company_id:  # type: ignore[attr-defined]
        return False
    return has_perm(ctx, Perm.TICKET_READ, ticket.community_id) or (  # type: ignore[attr-defined]
        p.staff_id is not None and ticket.technician_id == p.staff_id)  # type: ignore[attr-defined]


async def notable_ticket(ctx: Context, ticket_id: int) -> Ticket:
    """A ticket the caller may add notes to: its assigned technician (ticket.work), or dispatch staff of its
    community; NOT_FOUND for anything else."""
    p = ctx.principal
    row = await Ticket.filter(id=ticket_id, company_id=p.company_id).first() if p and p.company_id else None
    if row is None or not (
        (p.staff_id is not None and row.technician_id == p.staff_id and Perm.TICKET_WORK in p.grants)  # type: ignore[attr-defined]
        or can_dispatch(ctx, row)
    ):
        raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
    return row
