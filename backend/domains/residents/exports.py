"""The residents lists as .xlsx: owners (with their units) and binding requests; phones as the API shows them."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.exports import Export, enum_value, gid, label, local_time, opt, pk, register_export
from backend.core.permissions import Perm, community_scope, scoped
from backend.domains.accounts.access import phone_shown
from backend.domains.accounts.models import User
from backend.domains.residents import models
from backend.domains.residents.queries import list_bindings, list_owners
from backend.domains.residents.types import OwnerFilter
from backend.domains.tenancy.models import Unit

RELATION_ZH = {"owner": "业主", "family": "家属", "tenant": "租户"}
STATUS_ZH = {"pending": "待审核", "approved": "已通过", "rejected": "已拒绝", "removed": "已移除", "invited": "已邀请"}


async def _owners(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    show = await phone_shown(ctx, rows)
    bindings = await scoped(models.UnitBinding.filter(user_id__in=[r.id for r in rows],
                                                      status=models.BindingStatus.APPROVED),
                            ctx, Perm.OWNER_READ).order_by("id").values(
        "user_id", "relation", "unit__number", "unit__building__name", "community__name")
    # The name the company knows each person by, as the console's list shows it (else their own).
    known = dict(await models.ResidentProfile.filter(
        company_id=community_scope(ctx, Perm.OWNER_READ)[0], user_id__in=[r.id for r in rows]).values_list("user_id", "name"))
    units: dict[int, list[str]] = {}
    for b in bindings:
        units.setdefault(b["user_id"], []).append(
            f"{b['community__name']} {b['unit__building__name']}-{b['unit__number']} ({label(b['relation'], RELATION_ZH)})")
    return [[known.get(r.id) or r.name, show(r), "; ".join(units.get(r.id, [])), local_time(r.created_at)] for r in rows]


async def _bindings(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    units = {u["id"]: u for u in await Unit.filter(id__in=list({r.unit_id for r in rows})).values(
        "id", "number", "building__name", "community__name")}
    users = {u.id: u for u in await User.filter(id__in=list({r.user_id for r in rows}))}
    show = await phone_shown(ctx, list(users.values()))
    out = []
    for r in rows:
        u, person = units.get(r.unit_id, {}), users.get(r.user_id)
        out.append([u.get("community__name", ""), u.get("building__name", ""), u.get("number", ""),
                    person.name if person else "", show(person) if person else "",
                    label(r.relation, RELATION_ZH), label(r.status, STATUS_ZH), r.reason, local_time(r.created_at),
                    local_time(r.reviewed_at)])
    return out


register_export("owners", Export(
    ["姓名 Name", "手机 Phone", "房屋 Units", "创建时间 Created"],
    lambda ctx, q: list_owners(ctx, first=0, after=None, f=OwnerFilter(
        community_id=gid(q, "communityId"), search=opt(q, "search"), phone=opt(q, "phone"),
        unit_number=opt(q, "unitNumber"), relation=enum_value(q, "relation", models.Relation))),
    _owners))
register_export("bindings", Export(
    ["小区 Community", "楼栋 Building", "房号 Unit number", "姓名 Name", "手机 Phone", "关系 Relation",
     "状态 Status", "原因 Reason", "申请时间 Requested", "审核时间 Reviewed"],
    lambda ctx, q: list_bindings(ctx, first=0, after=None, status=enum_value(q, "status", models.BindingStatus),
                                 community_pk=pk(q, "communityId", "Community")),
    _bindings, descending=True))
