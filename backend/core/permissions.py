"""Named permissions and the checks every domain uses; tenant scope always comes from the token."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from backend.core.errors import Codes, DomainError

if TYPE_CHECKING:
    from backend.core.context import Context


class Perm(StrEnum):
    """Every permission a role can hold. Later domains add theirs here."""

    COMPANY_MANAGE = "company.manage"
    COMMUNITY_READ = "community.read"
    COMMUNITY_WRITE = "community.write"
    UNIT_READ = "unit.read"
    UNIT_WRITE = "unit.write"
    OWNER_READ = "owner.read"
    OWNER_PHONE = "owner.phone"
    BINDING_REVIEW = "binding.review"
    STAFF_READ = "staff.read"
    STAFF_WRITE = "staff.write"
    AUDIT_READ = "audit.read"
    GATE_ACCESS = "gate.access"
    TICKET_READ = "ticket.read"  # every repair ticket of the community
    TICKET_DISPATCH = "ticket.dispatch"  # accept, reject, assign, reassign, close
    TICKET_WORK = "ticket.work"  # technicians: assigned and grabbable tickets; start, note, complete
    REPAIR_CONFIG = "repair.config"  # repair categories and community repair settings
    TICKET_STATS = "ticket.stats"


def require_user(ctx: Context) -> int:
    """The caller's user id, or UNAUTHENTICATED (with the token problem as the code)."""
    if ctx.principal is None:
        raise DomainError(ctx.auth_error or Codes.UNAUTHENTICATED, "Sign in first")
    return ctx.principal.user_id


def require_platform_admin(ctx: Context) -> int:
    uid = require_user(ctx)
    assert ctx.principal is not None
    if not ctx.principal.is_platform_admin:
        raise DomainError(Codes.FORBIDDEN, "Platform administrators only")
    return uid


def require_perm(ctx: Context, perm: Perm, community_id: int | None = None) -> int:
    """Require `perm` in the token's company (and in `community_id` if given); returns the company id."""
    require_user(ctx)
    p = ctx.principal
    assert p is not None
    if p.company_id is None or perm not in p.grants:
        raise DomainError(Codes.FORBIDDEN, "You lack the permission " + perm.value)
    scope = p.grants[perm]
    if community_id is not None and scope is not None and community_id not in scope:
        raise DomainError(Codes.FORBIDDEN, "Not your community")
    return p.company_id


def has_perm(ctx: Context, perm: Perm, community_id: int | None = None) -> bool:
    try:
        require_perm(ctx, perm, community_id)
    except DomainError:
        return False
    return True


def community_scope(ctx: Context, perm: Perm) -> tuple[int, frozenset[int] | None]:
    """(company id, community ids or None for all) the caller may use `perm` in."""
    company_id = require_perm(ctx, perm)
    assert ctx.principal is not None
    return company_id, ctx.principal.grants[perm]


def scoped(qs: Any, ctx: Context, perm: Perm, community_field: str | None = "community_id") -> Any:
    """Filter a queryset to the caller's company and, when limited, to their communities."""
    company_id, communities = community_scope(ctx, perm)
    qs = qs.filter(company_id=company_id)
    if communities is not None and community_field:
        qs = qs.filter(**{f"{community_field}__in": list(communities)})
    return qs


def covers(ctx: Context, perm: Perm, company_id: int | None, community_id: int | None) -> bool:
    """Whether the caller holds `perm` over a row of this company and community (None: company-wide rows need a
    company-wide grant)."""
    p = ctx.principal
    if p is None or p.company_id is None or company_id != p.company_id or perm not in p.grants:
        return False
    scope = p.grants[perm]
    return scope is None or (community_id is not None and community_id in scope)


def works_in(ctx: Context, company_id: int | None, community_id: int | None) -> bool:
    """Whether any of the caller's grants covers this community of this company (staff working there)."""
    p = ctx.principal
    if p is None or p.company_id is None or company_id != p.company_id:
        return False
    return any(scope is None or (community_id is not None and community_id in scope) for scope in p.grants.values())
