"""Thin resolvers for tickets, categories, settings, workload and statistics; every list starts scoped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import strawberry
from tortoise.expressions import Q

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, register_node
from backend.core.ids import decode_id
from backend.core.pagination import Connection, paginate
from backend.core.permissions import Perm, community_scope, has_perm, require_perm, require_user
from backend.domains.repairs import config, models, stats, workflow
from backend.domains.repairs.access import staff_tickets
from backend.domains.repairs.types import (
    RepairCategory,
    RepairSettings,
    TechnicianContact,
    TechnicianStats,
    TechnicianWorkload,
    Ticket,
    TicketFilter,
    TicketStatus,
)
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import Community

NUMBER = re.compile(r"^[Rr]?0*(\d{1,15})$")
MAX_STATUSES = 20


def overdue_q(at: datetime) -> Q:
    """Past the accept SLA while submitted, or past the finish SLA while unfinished (evaluated in SQL)."""
    return Q(status=models.TicketStatus.SUBMITTED, accept_due__lt=at) | Q(
        status__in=list(workflow.UNFINISHED), finish_due__lt=at)


async def list_tickets(ctx: Context, *, f: TicketFilter, first: int | None, after: str | None) -> Connection[Ticket]:
    qs = staff_tickets(ctx)
    if f.community_id:
        qs = qs.filter(community_id=decode_id(f.community_id, "Community", "communityId"))
    if f.status:
        if len(f.status) > MAX_STATUSES:
            raise DomainError(Codes.TOO_LONG, "Too many statuses", "status")
        qs = qs.filter(status__in=[models.TicketStatus(s) for s in f.status])
    if f.category_id:
        qs = qs.filter(category_id=decode_id(f.category_id, "RepairCategory", "categoryId"))
    if f.urgency is not None:
        qs = qs.filter(urgency=f.urgency)
    if f.technician_id:
        qs = qs.filter(technician_id=decode_id(f.technician_id, "StaffMember", "technicianId"))
    if f.mine is not None:
        staff_id = ctx.principal.staff_id if ctx.principal is not None else None
        mine = Q(technician_id=staff_id) if staff_id is not None else Q(id=None)
        qs = qs.filter(mine) if f.mine else qs.filter(~mine | Q(technician_id=None))
    if f.overdue is not None:
        q = overdue_q(datetime.now(UTC))
        qs = qs.filter(q) if f.overdue else qs.filter(~q)
    term = (f.search or "").strip()
    if len(term) > 50:
        raise DomainError(Codes.TOO_LONG, "Search at most 50 characters", "search")
    if term:
        m = NUMBER.match(term)
        qs = qs.filter(Q(description__icontains=term) | Q(id=int(m.group(1)))) if m else qs.filter(
            description__icontains=term)
    return await paginate(qs, first=first, after=after, to_node=Ticket.from_model, descending=True)


async def _company_for_categories(ctx: Context, community_id: strawberry.ID | None) -> int:
    """Staff read their company's categories; owners those of a community they live in."""
    p = ctx.principal
    require_user(ctx)
    assert p is not None
    if community_id is None:
        if p.company_id is None:
            raise DomainError(Codes.FORBIDDEN, "Staff only, or give a community", "communityId")
        return p.company_id
    pk = decode_id(community_id, "Community", "communityId")
    row = await Community.filter(id=pk).values("company_id")
    if row and row[0]["company_id"] == p.company_id:
        return p.company_id
    if row and await UnitBinding.filter(user_id=p.user_id, community_id=pk, status=BindingStatus.APPROVED).exists():
        return row[0]["company_id"]
    raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")


async def _contacts(info: Info, staff_pks: list[int]) -> list[TechnicianContact]:
    out = []
    for pk in staff_pks:
        contact = await TechnicianContact.load(info, pk, for_staff=True)
        assert contact is not None
        out.append(contact)
    return out


@strawberry.type
class RepairsQuery:
    @strawberry.field(description="Repair tickets the caller handles, newest first (ticket.read; technicians see "
                                  "their own and grabbable ones).")
    async def tickets(
        self, info: Info, filter: TicketFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Ticket]:
        return await list_tickets(info.context, f=filter or TicketFilter(), first=first, after=after)

    @strawberry.field(description="The caller's own repair tickets, newest first.")
    async def my_tickets(
        self, info: Info, status: list[TicketStatus] | None = None, first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Ticket]:
        qs = models.Ticket.filter(reporter_id=require_user(info.context))
        if status:
            if len(status) > MAX_STATUSES:
                raise DomainError(Codes.TOO_LONG, "Too many statuses", "status")
            qs = qs.filter(status__in=[models.TicketStatus(s) for s in status])
        return await paginate(qs, first=first, after=after, to_node=Ticket.from_model, descending=True)

    @strawberry.field(description="Repair categories: the caller's company's, or those of a community the caller "
                                  "lives in.")
    async def repair_categories(
        self, info: Info, community_id: strawberry.ID | None = None, include_disabled: bool = False
    ) -> list[RepairCategory]:
        company_id = await _company_for_categories(info.context, community_id)
        rows = await config.list_categories(company_id=company_id, include_disabled=include_disabled)
        return [RepairCategory.from_model(r) for r in rows]

    @strawberry.field(description="A community's repair settings (repair.config or ticket.read).")
    async def repair_settings(self, info: Info, community_id: strawberry.ID) -> RepairSettings:
        ctx = info.context
        pk = decode_id(community_id, "Community", "communityId")
        if not has_perm(ctx, Perm.REPAIR_CONFIG, pk):
            require_perm(ctx, Perm.TICKET_READ, pk)
        assert ctx.principal is not None
        if not await Community.filter(id=pk, company_id=ctx.principal.company_id).exists():
            raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
        return RepairSettings.from_model(await config.get_settings(pk))

    @strawberry.field(description="Technicians of a community with their open tickets (ticket.read).")
    async def technician_workload(self, info: Info, community_id: strawberry.ID) -> list[TechnicianWorkload]:
        ctx = info.context
        pk = decode_id(community_id, "Community", "communityId")
        company_id = require_perm(ctx, Perm.TICKET_READ, pk)
        if not await Community.filter(id=pk, company_id=company_id).exists():
            raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
        rows = await stats.workload(company_id=company_id, community_id=pk)
        contacts = await _contacts(info, [r.staff_id for r in rows])
        return [TechnicianWorkload(technician=c, assigned_count=r.assigned, in_progress_count=r.in_progress,
                                   _staff_pk=r.staff_id) for r, c in zip(rows, contacts, strict=True)]

    @strawberry.field(description="Technicians' ratings, completion time and SLA hit rate for a month such as "
                                  "2026-11 (ticket.stats).")
    async def technician_stats(
        self, info: Info, month: str, community_id: strawberry.ID | None = None
    ) -> list[TechnicianStats]:
        ctx = info.context
        company_id, scope = community_scope(ctx, Perm.TICKET_STATS)
        pk = decode_id(community_id, "Community", "communityId") if community_id else None
        rows = await stats.monthly(company_id=company_id, communities=scope, community_id=pk, month=month)
        contacts = await _contacts(info, [r.staff_id for r in rows])
        return [TechnicianStats(technician=c, completed_count=r.completed, rated_count=r.rated, avg_speed=r.avg_speed,
                                avg_quality=r.avg_quality, avg_attitude=r.avg_attitude,
                                avg_completion_minutes=r.avg_completion_minutes, sla_hit_rate=r.sla_hit_rate)
                for r, c in zip(rows, contacts, strict=True)]


# node(id:), ticketUpdates and lists all pass the one rule of each type (repairs.access).
tickets_for = nodes_by_pk(models.Ticket, Ticket.from_model)
register_node(Ticket, tickets_for)
register_node(RepairCategory, nodes_by_pk(models.RepairCategory, RepairCategory.from_model))
