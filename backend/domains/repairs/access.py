"""Who sees which tickets: staff by ticket.read per community, technicians their own and grabbable ones,
owners the ones they reported. One helper builds the filter every list, node and subscription uses."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from backend.core.access import rule
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.orm import column
from backend.core.permissions import Perm, covers, has_perm, require_user
from backend.domains.accounts.access import user_ground
from backend.domains.files.access import target_rule
from backend.domains.repairs.loaders import GRAB_ALLOWED
from backend.domains.repairs.models import RepairSettings, Ticket, TicketEvent, TicketStatus
from backend.domains.residents.models import BindingStatus, UnitBinding


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
    return p is not None and ticket.company_id == p.company_id and has_perm(
        ctx, Perm.TICKET_DISPATCH, ticket.community_id)


def is_staff_viewer(ctx: Context, ticket: Ticket) -> bool:
    """Staff of the ticket's company who may read it (not merely its reporter)."""
    p = ctx.principal
    if p is None or ticket.company_id != p.company_id:
        return False
    return has_perm(ctx, Perm.TICKET_READ, ticket.community_id) or (
        p.staff_id is not None and ticket.technician_id == p.staff_id)


async def notable_ticket(ctx: Context, ticket_id: int) -> Ticket:
    """A ticket the caller may add notes to: its assigned technician (ticket.work), or dispatch staff of its
    community; NOT_FOUND for anything else."""
    p = ctx.principal
    row = await Ticket.filter(id=ticket_id, company_id=p.company_id).first() if p and p.company_id else None
    if row is None or p is None or not (
        (p.staff_id is not None and row.technician_id == p.staff_id and Perm.TICKET_WORK in p.grants)
        or can_dispatch(ctx, row)
    ):
        raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
    return row


def _staff_sees(ctx: Context, t: Ticket, grab_ok: bool) -> bool:
    """staff_q for one loaded ticket (grab_ok: its community lets technicians grab)."""
    p = ctx.principal
    if p is None or p.company_id is None or t.company_id != p.company_id:
        return False
    if covers(ctx, Perm.TICKET_READ, t.company_id, t.community_id):
        return True
    if Perm.TICKET_WORK not in p.grants or p.staff_id is None:
        return False
    if t.technician_id == p.staff_id:
        return True
    return (t.status == TicketStatus.ACCEPTED and t.technician_id is None and grab_ok
            and covers(ctx, Perm.TICKET_WORK, t.company_id, t.community_id))


@rule("Ticket")
async def ticket_visible(ctx: Context, objs: list[Any]) -> list[bool]:
    """The same tickets as visible_tickets(), decided on the loaded rows (a board event costs viewers no reads)."""
    p = ctx.principal
    if p is None:
        return [False] * len(objs)
    rows = [o._m for o in objs]
    grabbable = [t.community_id for t in rows if t.status == TicketStatus.ACCEPTED and t.technician_id is None]
    grab = dict(zip(grabbable, await GRAB_ALLOWED.of(ctx).load_many(grabbable), strict=True)) if (
        grabbable and p.staff_id is not None and Perm.TICKET_WORK in p.grants) else {}
    handled = ctx.loaders.memo.setdefault("handled_reporters", set())
    out: list[bool] = []
    for t in rows:
        staff = _staff_sees(ctx, t, grab.get(t.community_id, False))
        if staff:
            handled.add(t.reporter_id)
        out.append(staff or t.reporter_id == p.user_id)
    return out


@rule("RepairCategory")
async def category_visible(ctx: Context, objs: list[Any]) -> list[bool]:
    """Categories of the caller's company, of the companies they live in, and of the tickets they reported."""
    p = ctx.principal
    if p is None:
        return [False] * len(objs)
    out = [p.company_id is not None and o._company_id == p.company_id for o in objs]
    rest = [o._pk for o, ok in zip(objs, out, strict=True) if not ok]
    if rest:
        companies = set(await UnitBinding.filter(user_id=p.user_id, status=BindingStatus.APPROVED)
                        .values_list("company_id", flat=True))
        companies |= set(await Ticket.filter(reporter_id=p.user_id, category_id__in=rest)
                         .values_list("company_id", flat=True))
        out = [ok or o._company_id in companies for o, ok in zip(objs, out, strict=True)]
    return out


@user_ground(order=5)
async def reporters_just_shown(ctx: Context, user_ids: list[int]) -> dict[int, bool]:
    """Reporters of tickets the caller handles that this request has already shown (no read: on a live board the
    card's reporter is known from its ticket). Their phone stays masked: staff who may call read contactPhone."""
    handled = ctx.loaders.memo.get("handled_reporters", set())
    return {u: False for u in user_ids if u in handled}


@user_ground(order=40)
async def reporters(ctx: Context, user_ids: list[int]) -> dict[int, bool]:
    """People who reported tickets the caller handles as staff (name only, as above)."""
    q = staff_q(ctx)
    if q is None:
        return {}
    rows: list[int] = await column(Ticket.filter(q, reporter_id__in=user_ids).distinct(), "reporter_id")
    return dict.fromkeys(rows, False)


@target_rule("Ticket")
async def ticket_files(ctx: Context, ids: list[int]) -> set[int]:
    """Files attached to a ticket: whoever may see the ticket."""
    return set(await visible_tickets(ctx).filter(id__in=ids).values_list("id", flat=True))


@target_rule("TicketEvent")
async def ticket_event_files(ctx: Context, ids: list[int]) -> set[int]:
    """Work photos of a timeline step: whoever may see the ticket, except a staff-only note's for its reporter."""
    rows = await TicketEvent.filter(id__in=ids).values("id", "ticket_id", "internal")
    tickets = {t.id: t for t in await visible_tickets(ctx).filter(id__in=[r["ticket_id"] for r in rows])}
    return {r["id"] for r in rows if r["ticket_id"] in tickets
            and (not r["internal"] or is_staff_viewer(ctx, tickets[r["ticket_id"]]))}
