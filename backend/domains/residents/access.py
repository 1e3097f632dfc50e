"""Who may see which bindings, and which people the residents domain gives the caller a reason to know.

A binding is visible to its person (any status), to the residents of its unit (approved bindings; the unit's owners
also see the household invitations they sent), and to staff of its community: owner.read for approved bindings,
binding.review for every status. Its unit and community follow their own rules (tenancy.access): a pending request
shows its requester nothing of the unit.
"""

from __future__ import annotations

from backend.core.access import rule
from backend.core.context import Context
from backend.core.orm import column
from backend.core.permissions import Perm, covers
from backend.domains.accounts.access import user_ground
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.residents.types import UnitBinding as UnitBindingType
from backend.domains.tenancy.access import my_bindings

# Statuses the unit's owners see in their household: members, and the invitations they sent.
HOUSEHOLD = {BindingStatus.APPROVED.value, BindingStatus.INVITED.value}
REVIEWED = [s.value for s in BindingStatus if s != BindingStatus.REMOVED]


@rule(UnitBindingType)
async def binding_visible(ctx: Context, objs: list[UnitBindingType]) -> list[bool]:
    p = ctx.principal
    if p is None:
        return [False] * len(objs)

    def status(b: UnitBindingType) -> str:
        return str(getattr(b.status, "value", b.status))

    def staff_or_own(b: UnitBindingType) -> bool:
        return (b._user_id == p.user_id
                or (status(b) == BindingStatus.APPROVED.value and covers(ctx, Perm.OWNER_READ, b._company_id,
                                                                         b._community_id))
                or covers(ctx, Perm.BINDING_REVIEW, b._company_id, b._community_id))

    out = [staff_or_own(b) for b in objs]
    if all(out):
        return out
    mine = await my_bindings(ctx)  # residents see their household (read only when staff scope did not decide)
    resident_of = {b["unit_id"] for b in mine}
    owner_of = {b["unit_id"] for b in mine if b["relation"] == Relation.OWNER}
    return [ok or (b._unit_id in resident_of and status(b) == BindingStatus.APPROVED.value)
            or (b._unit_id in owner_of and (status(b) in HOUSEHOLD or b._added_by_id == p.user_id))
            for ok, b in zip(out, objs, strict=True)]


@user_ground(order=5)
async def residents_just_shown(ctx: Context, user_ids: list[int]) -> dict[int, bool]:
    """Residents this request has already shown as a unit's residents (no read: a unit list with its residents knows
    them from their bindings); the phone is full where owner.phone covers the unit's community. A masked answer
    leaves the other grounds free to find a full one."""
    shown: dict[int, bool] = ctx.loaders.memo.get("shown_residents", {})
    return {u: shown[u] for u in user_ids if u in shown}


@user_ground(order=10)
async def residents_and_applicants(ctx: Context, user_ids: list[int]) -> dict[int, bool]:
    """Owners and residents for owner.read over their community, applicants for binding.review; co-residents of
    the caller's units. The phone is full for owner.phone over one of their communities."""
    p = ctx.principal
    assert p is not None
    out: dict[int, bool] = {}
    if p.company_id is not None and {Perm.OWNER_READ, Perm.BINDING_REVIEW} & set(p.grants):
        rows = await UnitBinding.filter(user_id__in=user_ids, company_id=p.company_id,
                                        status__in=REVIEWED).values("user_id", "community_id", "status")
        for r in rows:
            approved = r["status"] == BindingStatus.APPROVED
            seen = ((approved and covers(ctx, Perm.OWNER_READ, p.company_id, r["community_id"]))
                    or covers(ctx, Perm.BINDING_REVIEW, p.company_id, r["community_id"]))
            if seen:
                full = r["status"] in (BindingStatus.APPROVED, BindingStatus.PENDING) and covers(
                    ctx, Perm.OWNER_PHONE, p.company_id, r["community_id"])
                out[r["user_id"]] = out.get(r["user_id"], False) or full
    rest = [u for u in user_ids if u not in out]
    units = list({b["unit_id"] for b in await my_bindings(ctx)}) if rest else []
    if units:
        co_residents: list[int] = await column(UnitBinding.filter(unit_id__in=units, user_id__in=rest,
                                                                  status=BindingStatus.APPROVED), "user_id")
        for uid in co_residents:
            out.setdefault(uid, False)
    return out
