"""Who may see which people, staff members and roles.

A user is visible to themself, to platform administrators, and to callers who have a reason to know them. The reasons
come from the domains that tie people to a company (`user_ground`): residents (owner.read / binding.review over
their units, and co-residents of a unit), staff (colleagues, for staff.read / audit.read), repairs (reporters of
tickets the caller handles). The same grounds decide whether the phone is shown in full or masked, so `User.phone`
and `User` visibility can never disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from backend.core.access import rule
from backend.core.context import Context, register_loader
from backend.core.crypto import mask_phone, open_phone
from backend.core.permissions import Perm, covers
from backend.domains.accounts.loaders import USER_ACCESS, USER_SEEN
from backend.domains.accounts.models import StaffGrant
from backend.domains.accounts.models import StaffMember as StaffMemberModel
from backend.domains.accounts.models import User as UserModel
from backend.domains.accounts.types import Role, StaffInvitation, StaffMember, User

# (caller, user ids other than the caller's own) -> {user id: whether the phone may be shown in full}
UserGround = Callable[[Context, list[int]], Awaitable[dict[int, bool]]]
_GROUNDS: list[tuple[int, UserGround]] = []
HIDDEN, MASKED, FULL = 0, 1, 2


def user_ground(order: int) -> Callable[[UserGround], UserGround]:
    """Register a domain's reason for a caller to know other users (see the module docstring). Grounds are asked in
    `order`, cheapest first: deciding visibility stops as soon as every user has a reason."""

    def register(fn: UserGround) -> UserGround:
        if all(g is not fn for _, g in _GROUNDS):
            _GROUNDS.append((order, fn))
            _GROUNDS.sort(key=lambda item: item[0])
        return fn

    return register


async def _levels(ctx: Context, keys: list[int], *, phones: bool) -> list[int]:
    p = ctx.principal
    if p is None:
        return [HIDDEN] * len(keys)
    if p.is_platform_admin:
        return [FULL] * len(keys)
    # What each ground said about each user in this request: asking for phones after visibility (or the other way)
    # asks only the grounds not yet asked about those users.
    said: dict[UserGround, dict[int, bool | None]] = ctx.loaders.memo.setdefault("user_grounds", {})
    level: dict[int, int] = {p.user_id: FULL}
    for _, ground in _GROUNDS:
        known = said.setdefault(ground, {})
        for uid in keys:
            if known.get(uid) is not None:
                level[uid] = max(level.get(uid, HIDDEN), FULL if known[uid] else MASKED)
        # For visibility alone, users already known need no further reason; for phones, every ground may raise
        # a level to FULL.
        ask = [k for k in keys if k not in known and level.get(k, HIDDEN) < (FULL if phones else MASKED)]
        if not ask:
            continue
        answers = await ground(ctx, ask)
        for uid in ask:
            known[uid] = answers.get(uid)
            if uid in answers:
                level[uid] = max(level.get(uid, HIDDEN), FULL if answers[uid] else MASKED)
    return [level.get(k, HIDDEN) for k in keys]


async def user_access(ctx: Context, keys: list[int]) -> list[int]:
    """Per user id: HIDDEN, MASKED (visible, phone masked) or FULL (visible with the full phone)."""
    return await _levels(ctx, keys, phones=True)


async def user_seen(ctx: Context, keys: list[int]) -> list[bool]:
    """Per user id: whether the caller may see the user at all (the phone's level not needed)."""
    return [lvl > HIDDEN for lvl in await _levels(ctx, keys, phones=False)]


register_loader(USER_ACCESS, user_access)
register_loader(USER_SEEN, user_seen)


@rule(User)
async def user_visible(ctx: Context, objs: list[User]) -> list[bool]:
    return await USER_SEEN.of(ctx).load_many([o._pk for o in objs])


@rule(Role)
async def role_visible(ctx: Context, objs: list[Role]) -> list[bool]:
    # Role templates are the platform's, shared by every company: staff and platform administrators see them.
    p = ctx.principal
    return [p is not None and (p.is_platform_admin or p.company_id is not None)] * len(objs)


async def member_communities(member_ids: list[int]) -> dict[int, set[int | None]]:
    """Communities each staff member holds a grant in (None for a company-wide grant)."""
    out: dict[int, set[int | None]] = {m: set() for m in member_ids}
    for g in await StaffGrant.filter(staff_id__in=member_ids).values("staff_id", "community_id"):
        out[g["staff_id"]].add(g["community_id"])
    return out


def sees_member(ctx: Context, perm: Perm, company_id: int, communities: set[int | None]) -> bool:
    """Whether `perm` (staff.read, audit.read, ...) covers a member of this company with grants in `communities`:
    a company-wide grant covers everyone; one limited to communities covers members with a grant in one of them."""
    p = ctx.principal
    if p is None or p.company_id != company_id or perm not in p.grants:
        return False
    scope = p.grants[perm]
    return scope is None or any(c is not None and c in scope for c in communities)


@rule(StaffMember)
async def staff_member_visible(ctx: Context, objs: list[StaffMember]) -> list[bool]:
    p = ctx.principal
    if p is None or p.company_id is None:
        return [False] * len(objs)
    ours = [o for o in objs if o._company_id == p.company_id]
    grants = await member_communities([o._pk for o in ours]) if ours else {}
    return [o._company_id == p.company_id and (
        o._user_id == p.user_id or sees_member(ctx, Perm.STAFF_READ, p.company_id, grants.get(o._pk, set())))
        for o in objs]


@user_ground(order=20)
async def colleagues(ctx: Context, user_ids: list[int]) -> dict[int, bool]:
    """Staff of the caller's company, for staff.read or audit.read covering them; staff.write shows phones."""
    p = ctx.principal
    if p is None or p.company_id is None or not ({Perm.STAFF_READ, Perm.AUDIT_READ} & set(p.grants)):
        return {}
    members = await StaffMemberModel.filter(user_id__in=user_ids, company_id=p.company_id).values("id", "user_id")
    if not members:
        return {}
    grants = await member_communities([m["id"] for m in members])
    out: dict[int, bool] = {}
    for m in members:
        where = grants.get(m["id"], set())
        if sees_member(ctx, Perm.STAFF_READ, p.company_id, where) or sees_member(ctx, Perm.AUDIT_READ, p.company_id,
                                                                                 where):
            out[m["user_id"]] = out.get(m["user_id"], False) or sees_member(ctx, Perm.STAFF_WRITE, p.company_id,
                                                                              where)
    return out


@rule(StaffInvitation)
async def staff_invitation_visible(ctx: Context, objs: list[StaffInvitation]) -> list[bool]:
    """The invitee, and staff of the inviting company who read or add staff where the roles are offered."""
    p = ctx.principal
    out: list[bool] = []
    for o in objs:
        ok = p is not None and o._user_id == p.user_id
        if p is not None and not ok and p.company_id == o._company_id:
            where: set[int | None] = {c for _, c in o._grants}
            ok = any(sees_member(ctx, perm, o._company_id, where) for perm in (Perm.STAFF_READ, Perm.STAFF_WRITE))
        out.append(ok)
    return out




async def phone_shown(ctx: Context, users: list[Any]) -> Callable[[Any], str]:
    """User.phone's rule (full or masked, as above) for a batch of user rows: exports show phones exactly as the
    API does."""
    levels = dict(zip([u.id for u in users], await USER_ACCESS.of(ctx).load_many([u.id for u in users]),
                      strict=True))

    def show(user: Any) -> str:
        phone = open_phone(user.phone_enc, user.phone_hash)
        return phone if levels.get(user.id, HIDDEN) >= FULL else mask_phone(phone)

    return show


async def visible_names(ctx: Context, user_ids: set[int]) -> dict[int, str]:
    """Names of the users among these the caller may see (exports leave the others blank, as the API shows null)."""
    ids = [u for u in user_ids if u is not None]
    if not ids:
        return {}
    seen = [u for u, ok in zip(ids, await USER_SEEN.of(ctx).load_many(ids), strict=True) if ok]
    return dict(await UserModel.filter(id__in=seen).values_list("id", "name")) if seen else {}


__all__ = ["FULL", "HIDDEN", "MASKED", "covers", "phone_shown", "user_access", "user_ground", "visible_names"]
