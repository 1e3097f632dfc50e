"""Batch loaders for unit bindings, scoped to what the caller may see (their keys: residents.keys)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from backend.core.context import Context, register_loader
from backend.core.errors import Codes, DomainError
from backend.core.orm import rows_in
from backend.core.permissions import Perm, covers, has_perm, scoped
from backend.domains.residents.keys import UNIT_HOUSEHOLD, UNIT_RESIDENTS, USER_BINDINGS
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.residents.types import UnitBinding as UnitBindingType
from backend.domains.tenancy.access import my_bindings


async def residents_by_unit(ctx: Context, keys: list[int]) -> list[list[UnitBinding]]:
    out: dict[int, list[UnitBinding]] = defaultdict(list)
    for b in await rows_in(UnitBinding, "unit_id", keys, where={"status": BindingStatus.APPROVED}):
        out[b.unit_id].append(b)
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


async def user_bindings(ctx: Context, keys: list[int]) -> list[list[UnitBindingType]]:
    """User.bindings and viewer.bindings: the bindings above, as objects."""
    return [[UnitBindingType.from_model(b) for b in rows] for rows in await visible_bindings_by_user(ctx, keys)]


async def unit_residents(ctx: Context, keys: list[tuple[int, int, int]]) -> list[list[UnitBindingType] | DomainError]:
    """Unit.residents by (unit, community, company): the approved residents, for staff with owner.read there or for
    the unit's own residents; FORBIDDEN for anyone else."""
    found = await residents_by_unit(ctx, [unit for unit, _, _ in keys])
    p = ctx.principal
    shown: dict[int, bool] = ctx.loaders.memo.setdefault("shown_residents", {})
    out: list[list[UnitBindingType] | DomainError] = []
    for (_, community, company), rows in zip(keys, found, strict=True):
        if covers(ctx, Perm.OWNER_READ, company, community) or (
                p is not None and any(r.user_id == p.user_id for r in rows)):
            out.append([UnitBindingType.from_model(r) for r in rows])
            # The residents shown here are known to the caller for this request (residents.access, order 5):
            # user id -> whether owner.phone covers this binding's community.
            full = covers(ctx, Perm.OWNER_PHONE, company, community)
            for r in rows:
                shown[r.user_id] = shown.get(r.user_id, False) or full
        else:
            out.append(DomainError(Codes.FORBIDDEN, "You may not see who lives here"))
    return out


async def unit_household(ctx: Context, keys: list[int]) -> list[list[UnitBindingType]]:
    """Unit.household: for the unit's approved residents, its approved members; its owners also see the household
    invitations still waiting for an answer. Anyone else gets an empty list (staff use Unit.residents)."""
    mine = {b["unit_id"]: b["relation"] for b in await my_bindings(ctx) if b["unit_id"] in set(keys)}
    if not mine:
        return [[] for _ in keys]
    rows = await UnitBinding.filter(unit_id__in=list(mine), status__in=[BindingStatus.APPROVED, BindingStatus.INVITED]
                                    ).order_by("id")
    out: dict[int, list[UnitBindingType]] = defaultdict(list)
    for b in rows:
        if b.status == BindingStatus.APPROVED or mine[b.unit_id] == Relation.OWNER:
            out[b.unit_id].append(UnitBindingType.from_model(b))
    return [out.get(k, []) for k in keys]


register_loader(USER_BINDINGS, user_bindings)
register_loader(UNIT_HOUSEHOLD, unit_household)
register_loader(UNIT_RESIDENTS, unit_residents)
