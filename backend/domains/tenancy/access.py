"""Who may read which tenancy rows: staff by permission and community, owners through bound units."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.permissions import Perm, has_perm, scoped
from backend.domains.residents.models import BindingStatus, UnitBinding


async def bound(ctx: Context, field: str) -> set[int]:
    """Values of `field` (unit_id, community_id, ...) over the caller's approved bindings."""
    if ctx.principal is None:
        return set()
    return set(
        await UnitBinding.filter(user_id=ctx.principal.user_id, status=BindingStatus.APPROVED).values_list(field, flat=True)
    )


async def readable(
    ctx: Context, model: Any, perm: Perm, pks: list[int], *, community_field: str, owner_field: str
) -> list[Any]:
    """Rows of `model` with these pks that the caller may read, in order; None where not."""
    if has_perm(ctx, perm):
        qs = scoped(model.filter(id__in=pks), ctx, perm, community_field)
    elif ctx.principal is not None:
        mine = await bound(ctx, owner_field)
        qs = model.filter(id__in=[p for p in pks if p in mine])
    else:
        return [None] * len(pks)
    rows = {r.id: r for r in await qs}
    return [rows.get(p) for p in pks]
