"""Batch loaders for users, roles and staff grants."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from backend.core.context import Context, register_loader
from backend.core.loaders import by_pk
from backend.domains.accounts.models import Role, StaffGrant, User


async def grants_by_staff(ctx: Context, keys: list[int]) -> list[list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for g in await StaffGrant.filter(staff_id__in=keys).order_by("id"):
        out[g.staff_id].append(g)  # type: ignore[attr-defined]
    return [out.get(k, []) for k in keys]


register_loader("user", by_pk(User), shared=True)
register_loader("role", by_pk(Role), shared=True)
register_loader("grants_by_staff", grants_by_staff)
