"""Batch loaders for unit bindings, scoped to what the caller may see."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from backend.core.context import Context, register_loader
from backend.core.permissions import Perm, has_perm, scoped
from backend.domains.residents.models import BindingStatus, UnitBinding


async def residents_by_unit(ctx: Context, keys: list[int]) -> list[list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for b in await UnitBinding.filter(unit_id__in=keys, status=BindingStatus.APPROVED).order_by("id"):
        out[b.unit_id].append(b)  # type: ignore[attr-defined]
    return [out.get(k, []) for k in keys]


async def visible_bindings_by_user(ctx: Context, keys: list[int]) -> list[list[Any]]:
    """A user's bindings: all of them for the user themself, else those in the caller's staff scope."""
    p = ctx.principal
    out: dict[int, list[Any]] = defaultdict(list)
    if p is not None:
        own = [k for k in keys if k == p.user_id]
        rows: list[Any] = []
        if own:
            rows += await UnitBinding.filter(user_id__in=own).exclude(status=BindingStatus.REMOVED).order_by("id")
        others = [k for k in keys if k != p.user_id]
        if others and has_perm(ctx, Perm.OWNER_READ):
            rows += await scoped(
                UnitBinding.filter(user_id__in=others, status=BindingStatus.APPROVED), ctx, Perm.OWNER_READ
            ).order_by("id")
        for b in rows:
            out[b.user_id].append(b)
    return [out.get(k, []) for k in keys]


register_loader("residents_by_unit", residents_by_unit)
register_loader("visible_bindings_by_user", visible_bindings_by_user)
