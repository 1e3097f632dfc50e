"""The staff list as .xlsx, with each member's roles; phones as the API shows them."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.exports import Export, boolean, local_time, names, opt, register_export, yes_no
from backend.domains.accounts.access import phone_shown
from backend.domains.accounts.models import Role, StaffGrant, User
from backend.domains.accounts.queries import list_staff
from backend.domains.tenancy.models import Community


async def _staff(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    users = {u.id: u for u in await User.filter(id__in=list({r.user_id for r in rows}))}
    show = await phone_shown(ctx, list(users.values()))
    grants: dict[int, list[str]] = {}
    grant_rows = await StaffGrant.filter(staff_id__in=[r.id for r in rows]).values("staff_id", "role_id", "community_id")
    roles = await names(Role, {g["role_id"] for g in grant_rows})
    communities = await names(Community, {g["community_id"] for g in grant_rows if g["community_id"]})
    for g in grant_rows:
        where = communities.get(g["community_id"], "") if g["community_id"] else "全公司 company-wide"
        grants.setdefault(g["staff_id"], []).append(f"{roles.get(g['role_id'], '')} ({where})")
    out = []
    for r in rows:
        u = users.get(r.user_id)
        out.append([u.name if u else "", show(u) if u else "", r.title, "; ".join(grants.get(r.id, [])),
                    yes_no(r.is_active), local_time(r.created_at)])
    return out


register_export("staffMembers", Export(
    ["姓名 Name", "手机 Phone", "职位 Title", "角色 Roles", "启用 Active", "加入时间 Joined"],
    lambda ctx, q: list_staff(ctx, first=0, after=None, search=opt(q, "search"), active=boolean(q, "isActive")),
    _staff))
