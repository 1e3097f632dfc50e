"""Who may read which audit entries: platform administrators the platform's own log; staff with audit.read the
entries of their company, and when the grant is limited to communities, only entries about those communities
(entries about the whole company need a company-wide grant)."""

from __future__ import annotations

from typing import Any

from backend.core.access import rule
from backend.core.context import Context
from backend.core.permissions import Perm, community_scope, covers
from backend.domains.audit.models import AuditLog as AuditLogModel
from backend.domains.audit.types import AuditLog


def audit_rows(ctx: Context) -> Any:
    """The company's entries the caller may list (audit.read, narrowed to its communities when limited)."""
    company_id, scope = community_scope(ctx, Perm.AUDIT_READ)
    qs = AuditLogModel.filter(company_id=company_id)
    return qs if scope is None else qs.filter(community_id__in=list(scope))


@rule(AuditLog)
async def audit_visible(ctx: Context, objs: list[AuditLog]) -> list[bool]:
    p = ctx.principal
    return [p is not None and (
        (o._company_id is None and p.is_platform_admin)
        or (o._company_id is not None and covers(ctx, Perm.AUDIT_READ, o._company_id, o._community_id))
    ) for o in objs]
