"""Exports: every console list as .xlsx, read through the same scoped list functions as GraphQL.

Each list function is called with `first: 0`: it applies the caller's scope and the filters and returns a
connection without reading a page; its count queryset is then read here in id order, chunk by chunk.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from backend.core.context import Context
from backend.core.crypto import mask_phone, open_phone
from backend.core.errors import Codes, DomainError
from backend.core.ids import decode_id
from backend.core.pagination import Connection
from backend.core.permissions import Perm, scoped
from backend.domains.accounts.access import FULL, HIDDEN
from backend.domains.accounts.models import Role, StaffGrant, StaffMember, User
from backend.domains.accounts.queries import list_staff
from backend.domains.audit.queries import list_audit
from backend.domains.audit.types import AuditFilter
from backend.domains.repairs import models as repairs
from backend.domains.repairs.queries import list_tickets, overdue_q
from backend.domains.repairs.types import TicketFilter
from backend.domains.repairs.workflow import ticket_number
from backend.domains.residents import models as residents
from backend.domains.residents.queries import list_bindings, list_owners
from backend.domains.residents.types import OwnerFilter
from backend.domains.tenancy import models as tenancy
from backend.domains.tenancy.queries import list_buildings, list_communities, list_companies, list_units

MAX_EXPORT = 50_000
CHUNK = 1000
Params = dict[str, str]

RELATION_ZH = {"owner": "业主", "family": "家属", "tenant": "租户"}
STATUS_ZH = {"pending": "待审核", "approved": "已通过", "rejected": "已拒绝", "removed": "已移除",
             "active": "正常", "disabled": "停用"}
TYPE_ZH = {"residential": "住宅", "commercial": "商铺", "parking": "车位"}
TICKET_STATUS_ZH = {"submitted": "待受理", "accepted": "已受理", "assigned": "已派单", "in_progress": "维修中",
                    "completed": "已完成", "rated": "已评价", "closed": "已关闭", "rejected": "已驳回",
                    "cancelled": "已取消"}
URGENCY_ZH = {"normal": "普通", "urgent": "紧急"}
MAX_STATUSES = 20


def _label(value: Any, zh: dict[str, str]) -> str:
    v = getattr(value, "value", value)
    return f"{zh.get(v, v)} {v}"


DEFAULT_ZONE = "Asia/Shanghai"
# The zone an export's times are written in (set per export by export_rows).
_zone: contextvars.ContextVar[ZoneInfo | None] = contextvars.ContextVar("courtyard_export_zone", default=None)


def _time(value: datetime | None) -> str:
    """Local time in the export's zone, with its UTC offset so a reader never has to guess."""
    if not value:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(_zone.get() or ZoneInfo(DEFAULT_ZONE))
    return local.isoformat(sep=" ", timespec="seconds")  # 2026-11-22 13:38:00+08:00


async def _display_zone(ctx: Context, params: Params) -> ZoneInfo:
    """As the console shows times: the filtered community's zone, else the caller's company's first community's,
    else Asia/Shanghai."""
    qs = None
    community = _opt(params, "communityId")
    p = ctx.principal
    if community is not None and p is not None and p.company_id is not None:
        qs = tenancy.Community.filter(id=decode_id(community, "Community", "communityId"), company_id=p.company_id)
    elif p is not None and p.company_id is not None:
        qs = tenancy.Community.filter(company_id=p.company_id).order_by("id")
    name = (await qs.first().values_list("timezone", flat=True)) if qs is not None else None
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo(DEFAULT_ZONE)


async def rows_of(conn: Connection[Any], *, descending: bool = False, limit: int = MAX_EXPORT) -> AsyncIterator[list[Any]]:
    """The scoped, filtered rows behind a list, in chunks of CHUNK in the list's order, at most `limit`."""
    qs, last, seen = conn._count_qs, None, 0
    while seen < limit:
        page = qs.order_by("-id" if descending else "id")
        if last is not None:
            page = page.filter(id__lt=last) if descending else page.filter(id__gt=last)
        chunk = list(await page.limit(min(CHUNK, limit - seen)))
        if not chunk:
            return
        seen += len(chunk)
        last = chunk[-1].id
        yield chunk


def _gid(params: Params, name: str) -> strawberry.ID | None:
    """A global ID passed on to a GraphQL filter input, which decodes it itself."""
    value = _opt(params, name)
    return strawberry.ID(value) if value is not None else None


def _opt(params: Params, name: str) -> str | None:
    value = params.get(name)
    return value if value not in (None, "") else None


def _id(params: Params, name: str, type_name: str) -> int | None:
    value = _opt(params, name)
    return decode_id(value, type_name, name) if value is not None else None


def _int(params: Params, name: str) -> int | None:
    value = _opt(params, name)
    if value is None:
        return None
    if not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()) or len(value) > 6:
        raise DomainError(Codes.INVALID, "Not a whole number", name)
    return int(value)


def _bool(params: Params, name: str) -> bool | None:
    value = _opt(params, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false", "1", "0"):
        raise DomainError(Codes.INVALID, "true or false", name)
    return value.lower() in ("true", "1")


def _enum(params: Params, name: str, enum: Any) -> Any:
    """An enum by its GraphQL name (RESIDENTIAL) or value (residential)."""
    value = _opt(params, name)
    return None if value is None else _member(value, name, enum)


def _member(value: str, name: str, enum: Any) -> Any:
    for member in enum:
        if value in (member.name, member.value):
            return member
    raise DomainError(Codes.INVALID, "Unknown value", name)


def _enums(params: Params, name: str, enum: Any) -> list[Any] | None:
    """A comma-separated list of enum names or values, e.g. status=SUBMITTED,ACCEPTED."""
    value = _opt(params, name)
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) > MAX_STATUSES:
        raise DomainError(Codes.TOO_LONG, "Too many values", name)
    return [_member(p, name, enum) for p in parts] or None


def _datetime(params: Params, name: str) -> datetime | None:
    value = _opt(params, name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(Codes.INVALID, "Not an ISO date-time", name) from None


async def _phone_shown(ctx: Context, users: list[Any]) -> Callable[[Any], str]:
    """The API's rule for User.phone (accounts.access: full only where owner.phone or staff.write covers the
    person, for themself and for platform admins), applied to the users of one export page."""
    levels = dict(zip([u.id for u in users], await ctx.loaders["user_access"].load_many([u.id for u in users]),
                      strict=True))

    def show(user: Any) -> str:
        phone = open_phone(user.phone_enc, user.phone_hash)
        return phone if levels.get(user.id, HIDDEN) >= FULL else mask_phone(phone)

    return show


async def _names(model: Any, ids: set[int], field: str = "name") -> dict[int, str]:
    return dict(await model.filter(id__in=list(ids)).values_list("id", field)) if ids else {}


@dataclass(frozen=True)
class Export:
    header: list[str]
    fetch: Callable[[Context, Params], Awaitable[Connection[Any]]]
    render: Callable[[Context, list[Any]], Awaitable[list[list[Any]]]]
    descending: bool = False


async def _units(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await _names(tenancy.Community, {r.community_id for r in rows})
    buildings = await _names(tenancy.Building, {r.building_id for r in rows})
    return [[communities.get(r.community_id, ""), buildings.get(r.building_id, ""), r.number, r.floor, r.area,
             _label(r.type, TYPE_ZH), _time(r.created_at)] for r in rows]


async def _owners(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    show = await _phone_shown(ctx, rows)
    bindings = await scoped(residents.UnitBinding.filter(user_id__in=[r.id for r in rows],
                                                         status=residents.BindingStatus.APPROVED),
                            ctx, Perm.OWNER_READ).order_by("id").values(
        "user_id", "relation", "unit__number", "unit__building__name", "community__name")
    units: dict[int, list[str]] = {}
    for b in bindings:
        units.setdefault(b["user_id"], []).append(
            f"{b['community__name']} {b['unit__building__name']}-{b['unit__number']} ({_label(b['relation'], RELATION_ZH)})")
    return [[r.name, show(r), "; ".join(units.get(r.id, [])), _time(r.created_at)] for r in rows]


async def _bindings(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    units = {u["id"]: u for u in await tenancy.Unit.filter(id__in=list({r.unit_id for r in rows})).values(
        "id", "number", "building__name", "community__name")}
    users = {u.id: u for u in await User.filter(id__in=list({r.user_id for r in rows}))}
    show = await _phone_shown(ctx, list(users.values()))
    out = []
    for r in rows:
        u, person = units.get(r.unit_id, {}), users.get(r.user_id)
        out.append([u.get("community__name", ""), u.get("building__name", ""), u.get("number", ""),
                    person.name if person else "", show(person) if person else "",
                    _label(r.relation, RELATION_ZH), _label(r.status, STATUS_ZH), r.reason, _time(r.created_at),
                    _time(r.reviewed_at)])
    return out


async def _staff(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    users = {u.id: u for u in await User.filter(id__in=list({r.user_id for r in rows}))}
    show = await _phone_shown(ctx, list(users.values()))
    grants: dict[int, list[str]] = {}
    grant_rows = await StaffGrant.filter(staff_id__in=[r.id for r in rows]).values("staff_id", "role_id", "community_id")
    roles = await _names(Role, {g["role_id"] for g in grant_rows})
    communities = await _names(tenancy.Community, {g["community_id"] for g in grant_rows if g["community_id"]})
    for g in grant_rows:
        where = communities.get(g["community_id"], "") if g["community_id"] else "全公司 company-wide"
        grants.setdefault(g["staff_id"], []).append(f"{roles.get(g['role_id'], '')} ({where})")
    out = []
    for r in rows:
        u = users.get(r.user_id)
        out.append([u.name if u else "", show(u) if u else "", r.title,
                    "; ".join(grants.get(r.id, [])), "是 yes" if r.is_active else "否 no", _time(r.created_at)])
    return out


async def _audit(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    actors = await _names(User, {r.actor_id for r in rows if r.actor_id})
    return [[_time(r.created_at), actors.get(r.actor_id, ""), r.action, r.target_type, r.target_id,
             json.dumps(r.summary, ensure_ascii=False)[:2000], r.request_id] for r in rows]


async def _communities(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    from tortoise.functions import Count

    counts = dict(await tenancy.Unit.filter(community_id__in=[r.id for r in rows]).annotate(n=Count("id"))
                  .group_by("community_id").values_list("community_id", "n"))
    return [[r.name, r.address, r.timezone, int(counts.get(r.id, 0)), _time(r.created_at)] for r in rows]


async def _buildings(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await _names(tenancy.Community, {r.community_id for r in rows})
    return [[communities.get(r.community_id, ""), r.name, r.floors, _time(r.created_at)] for r in rows]


async def _companies(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    return [[r.name, _label(r.status, STATUS_ZH), r.contact_name, _time(r.created_at)] for r in rows]


async def _tickets(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    communities = await _names(tenancy.Community, {r.community_id for r in rows})
    categories = await _names(repairs.RepairCategory, {r.category_id for r in rows})
    units = {u["id"]: f"{u['building__name']}-{u['number']}" for u in await tenancy.Unit.filter(
        id__in=list({r.unit_id for r in rows if r.unit_id})).values("id", "number", "building__name")}
    reporters = {u.id: u for u in await User.filter(id__in=list({r.reporter_id for r in rows}))}
    show = await _phone_shown(ctx, list(reporters.values()))
    staff = dict(await StaffMember.filter(id__in=list({r.technician_id for r in rows if r.technician_id}))
                 .values_list("id", "user__name"))
    # The list's own overdue rule, evaluated in SQL for the chunk.
    late = set(await repairs.Ticket.filter(id__in=[r.id for r in rows]).filter(overdue_q(datetime.now(UTC)))
               .values_list("id", flat=True))
    out = []
    for r in rows:
        person = reporters.get(r.reporter_id)
        rating = f"{r.rating_speed}/{r.rating_quality}/{r.rating_attitude}" if r.rated_at else ""
        out.append([ticket_number(r.id), _label(r.status, TICKET_STATUS_ZH), _label(r.urgency, URGENCY_ZH),
                    communities.get(r.community_id, ""), units.get(r.unit_id, "") if r.unit_id else r.public_area,
                    categories.get(r.category_id, ""), person.name if person else "",
                    show(person) if person else "", staff.get(r.technician_id, ""),
                    _time(r.created_at), _time(r.accept_due), _time(r.finish_due),
                    "是 yes" if r.id in late else "否 no", _time(r.completed_at), rating])
    return out


EXPORTS: dict[str, Export] = {
    "units": Export(
        ["小区 Community", "楼栋 Building", "房号 Unit number", "楼层 Floor", "面积(㎡) Area (m²)", "类型 Type",
         "创建时间 Created"],
        lambda ctx, q: list_units(
            ctx, building_pk=_id(q, "buildingId", "Building"), community_pk=_id(q, "communityId", "Community"),
            first=0, after=None, search=_opt(q, "search"), floor=_int(q, "floor"),
            unit_type=_enum(q, "type", tenancy.UnitType)),
        _units),
    "owners": Export(
        ["姓名 Name", "手机 Phone", "房屋 Units", "创建时间 Created"],
        lambda ctx, q: list_owners(ctx, first=0, after=None, f=OwnerFilter(
            community_id=_gid(q, "communityId"), search=_opt(q, "search"), phone=_opt(q, "phone"),
            unit_number=_opt(q, "unitNumber"), relation=_enum(q, "relation", residents.Relation))),
        _owners),
    "bindings": Export(
        ["小区 Community", "楼栋 Building", "房号 Unit number", "姓名 Name", "手机 Phone", "关系 Relation",
         "状态 Status", "原因 Reason", "申请时间 Requested", "审核时间 Reviewed"],
        lambda ctx, q: list_bindings(ctx, first=0, after=None, status=_enum(q, "status", residents.BindingStatus),
                                     community_pk=_id(q, "communityId", "Community")),
        _bindings, descending=True),
    "staffMembers": Export(
        ["姓名 Name", "手机 Phone", "职位 Title", "角色 Roles", "启用 Active", "加入时间 Joined"],
        lambda ctx, q: list_staff(ctx, first=0, after=None, search=_opt(q, "search"), active=_bool(q, "isActive")),
        _staff),
    "auditLogs": Export(
        ["时间 Time", "操作人 Actor", "操作 Action", "对象类型 Target type", "对象 Target", "摘要 Summary",
         "请求 Request id"],
        lambda ctx, q: list_audit(ctx, platform=bool(_bool(q, "platform")), first=0, after=None, f=AuditFilter(
            action=_opt(q, "action"), actor_id=_gid(q, "actorId"), target_type=_opt(q, "targetType"),
            since=_datetime(q, "since"), until=_datetime(q, "until"))),
        _audit, descending=True),
    "communities": Export(
        ["小区 Community", "地址 Address", "时区 Time zone", "房屋数 Units", "创建时间 Created"],
        lambda ctx, q: list_communities(ctx, first=0, after=None, search=_opt(q, "search")),
        _communities),
    "buildings": Export(
        ["小区 Community", "楼栋 Building", "楼层数 Floors", "创建时间 Created"],
        lambda ctx, q: list_buildings(ctx, community_pk=_id(q, "communityId", "Community"), first=0, after=None,
                                      search=_opt(q, "search")),
        _buildings),
    "companies": Export(
        ["公司 Company", "状态 Status", "联系人 Contact", "创建时间 Created"],
        lambda ctx, q: list_companies(ctx, first=0, after=None, search=_opt(q, "search"),
                                      status=_enum(q, "status", tenancy.CompanyStatus)),
        _companies, descending=True),
    "tickets": Export(
        ["编号 Number", "状态 Status", "紧急程度 Urgency", "小区 Community", "房屋/公共区域 Unit / public area",
         "类别 Category", "报修人 Reporter", "报修人手机 Reporter phone", "维修工 Technician", "报修时间 Created",
         "受理时限 Accept due", "完成时限 Finish due", "超时 Overdue", "完成时间 Completed",
         "评分(速度/质量/态度) Rating (speed/quality/attitude)"],
        lambda ctx, q: list_tickets(ctx, first=0, after=None, f=TicketFilter(
            community_id=_gid(q, "communityId"), status=_enums(q, "status", repairs.TicketStatus),
            category_id=_gid(q, "categoryId"), urgency=_enum(q, "urgency", repairs.Urgency),
            overdue=_bool(q, "overdue"), technician_id=_gid(q, "technicianId"), search=_opt(q, "search"))),
        _tickets, descending=True),
}


async def export_rows(ctx: Context, name: str, params: Params) -> tuple[list[str], list[list[Any]], bool]:
    """(header, rows, truncated) of one list for the caller; the filters are the list's own."""
    spec = EXPORTS.get(name)
    if spec is None:
        raise DomainError(Codes.NOT_FOUND, "No such list", "list")
    conn = await spec.fetch(ctx, params)
    _zone.set(await _display_zone(ctx, params))
    out: list[list[Any]] = []
    async for chunk in rows_of(conn, descending=spec.descending, limit=MAX_EXPORT + 1):
        out += await spec.render(ctx, chunk)
    truncated = len(out) > MAX_EXPORT
    return spec.header, out[:MAX_EXPORT], truncated
