"""What the signed-in caller sees of themself: the companies they work for, their roles, the communities they work
or live in, and staff invitations waiting for their answer. Rows only: auth.types turns them into objects, so this
module needs no types and types need no queries."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Subquery

from backend.core.context import Context
from backend.core.permissions import Perm
from backend.domains.accounts.models import InvitationStatus, Role, StaffInvitation, StaffMember
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import Community, CompanyStatus


async def memberships(ctx: Context) -> list[tuple[Any, bool]]:
    """(company row, is the current one) for each active company the caller works for."""
    p = ctx.principal
    assert p is not None
    rows = await StaffMember.filter(user_id=p.user_id, is_active=True, company__status=CompanyStatus.ACTIVE) \
        .order_by("id").prefetch_related("company")
    return [(r.company, r.company_id == p.company_id) for r in rows]


async def roles(codes: tuple[str, ...]) -> list[Role]:
    """The role templates with these codes."""
    return list(await Role.filter(code__in=list(codes)).order_by("id")) if codes else []


async def communities(ctx: Context) -> list[Community]:
    """Communities the caller works in (community.read, in scope) or lives in (approved bindings); at most 100."""
    p = ctx.principal
    assert p is not None
    if p.company_id is not None and Perm.COMMUNITY_READ in p.grants:
        scope = p.grants[Perm.COMMUNITY_READ]
        qs = Community.filter(company_id=p.company_id)
        if scope is not None:
            qs = qs.filter(id__in=list(scope))
    else:
        ids = UnitBinding.filter(user_id=p.user_id, status=BindingStatus.APPROVED).values("community_id")
        qs = Community.filter(id__in=Subquery(ids))  # a bare ValuesQuery raises TypeError
    return list(await qs.order_by("id").limit(100))


async def staff_invitations(ctx: Context) -> list[StaffInvitation]:
    """Invitations to join a company's staff that wait for the caller's answer, newest first."""
    p = ctx.principal
    assert p is not None
    return list(await StaffInvitation.filter(
        user_id=p.user_id, status=InvitationStatus.PENDING, company__status=CompanyStatus.ACTIVE
    ).order_by("-id").limit(100))
