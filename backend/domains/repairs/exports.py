"""The ticket list as .xlsx, with the list's own overdue rule; the reporter's phone as the API shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend.core.context import Context
from backend.core.exports import (
    Export,
    boolean,
    enum_value,
    enum_values,
    gid,
    label,
    local_time,
    names,
    opt,
    register_export,
    yes_no,
)
from backend.domains.accounts.access import phone_shown
from backend.domains.accounts.models import StaffMember, User
from backend.domains.repairs import models
from backend.domains.repairs.queries import list_tickets, overdue_q
from backend.domains.repairs.types import TicketFilter
from backend.domains.repairs.workflow import ticket_number
from backend.domains.tenancy.models import Community, Unit

TICKET_STATUS_ZH = {"submitted": "待受理", "accepted": "已受理", "assigned": "已派单", "in_progress": "维修中",
                    "completed": "已完成", "rated": "已评价", "closed": "已关闭", "rejected": "已驳回",
                    "cancelled": "已取消"}
URGENCY_ZH = {"normal": "普通", "urgent": "紧急"}


async def _tickets(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await names(Community, {r.community_id for r in rows})
    categories = await names(models.RepairCategory, {r.category_id for r in rows})
    units = {u["id"]: f"{u['building__name']}-{u['number']}" for u in await Unit.filter(
        id__in=list({r.unit_id for r in rows if r.unit_id})).values("id", "number", "building__name")}
    reporters = {u.id: u for u in await User.filter(id__in=list({r.reporter_id for r in rows}))}
    show = await phone_shown(ctx, list(reporters.values()))
    staff = dict(await StaffMember.filter(id__in=list({r.technician_id for r in rows if r.technician_id}))
                 .values_list("id", "user__name"))
    # The list's own overdue rule, evaluated in SQL for the chunk.
    late = set(await models.Ticket.filter(id__in=[r.id for r in rows]).filter(overdue_q(datetime.now(UTC)))
               .values_list("id", flat=True))
    out = []
    for r in rows:
        person = reporters.get(r.reporter_id)
        rating = f"{r.rating_speed}/{r.rating_quality}/{r.rating_attitude}" if r.rated_at else ""
        out.append([ticket_number(r.id), label(r.status, TICKET_STATUS_ZH), label(r.urgency, URGENCY_ZH),
                    communities.get(r.community_id, ""), units.get(r.unit_id, "") if r.unit_id else r.public_area,
                    categories.get(r.category_id, ""), person.name if person else "",
                    show(person) if person else "", staff.get(r.technician_id, ""),
                    local_time(r.created_at), local_time(r.accept_due), local_time(r.finish_due),
                    yes_no(r.id in late), local_time(r.completed_at), rating])
    return out


register_export("tickets", Export(
    ["编号 Number", "状态 Status", "紧急程度 Urgency", "小区 Community", "房屋/公共区域 Unit / public area",
     "类别 Category", "报修人 Reporter", "报修人手机 Reporter phone", "维修工 Technician", "报修时间 Created",
     "受理时限 Accept due", "完成时限 Finish due", "超时 Overdue", "完成时间 Completed",
     "评分(速度/质量/态度) Rating (speed/quality/attitude)"],
    lambda ctx, q: list_tickets(ctx, first=0, after=None, f=TicketFilter(
        community_id=gid(q, "communityId"), status=enum_values(q, "status", models.TicketStatus),
        category_id=gid(q, "categoryId"), urgency=enum_value(q, "urgency", models.Urgency),
        overdue=boolean(q, "overdue"), technician_id=gid(q, "technicianId"), search=opt(q, "search"))),
    _tickets, descending=True))
