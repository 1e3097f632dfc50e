"""Batch loaders for users, roles and staff grants, and the keys of the user rule's loaders."""

from __future__ import annotations

from collections import defaultdict

from backend.core.context import Context, LoaderKey, loader
from backend.core.loaders import by_pk
from backend.domains.accounts.models import Role, StaffGrant, User


async def grants_by_staff(ctx: Context, keys: list[int]) -> list[list[StaffGrant]]:
    out: dict[int, list[StaffGrant]] = defaultdict(list)
    for g in await StaffGrant.filter(staff_id__in=keys).order_by("id"):
        out[g.staff_id].append(g)
    return [out.get(k, []) for k in keys]


USER: LoaderKey[int, User | None] = loader("user", by_pk(User), shared=True)
ROLE: LoaderKey[int, Role | None] = loader("role", by_pk(Role), shared=True)
GRANTS_BY_STAFF: LoaderKey[int, list[StaffGrant]] = loader("grants_by_staff", grants_by_staff)

# The user rule's loaders: their batches are in accounts.access (with the grounds other domains register), which
# imports accounts.types, whose User.phone reads USER_ACCESS; so the keys are declared here, apart from the batches.
# Per user id: HIDDEN, MASKED or FULL (accounts.access).
USER_ACCESS: LoaderKey[int, int] = LoaderKey("user_access")
# Per user id: whether the caller may see the user at all.
USER_SEEN: LoaderKey[int, bool] = LoaderKey("user_seen")
