"""Thin resolvers for the audit log: company admins see their company, platform admins the platform's."""

from __future__ import annotations

import strawberry

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, register_node
from backend.core.ids import decode_id
from backend.core.pagination import Connection, paginate
from backend.core.permissions import require_user
from backend.domains.audit import models
from backend.domains.audit.access import audit_rows
from backend.domains.audit.actions import ACTIONS
from backend.domains.audit.types import AuditAction, AuditFilter, AuditLog


def _base(ctx: Context, platform: bool):  # noqa: ANN202 - a queryset
    require_user(ctx)
    p = ctx.principal
    assert p is not None
    if platform:
        if not p.is_platform_admin:
            raise DomainError(Codes.FORBIDDEN, "Platform administrators only")
        return models.AuditLog.filter(company_id=None)
    return audit_rows(ctx)


async def list_audit(ctx: Context, *, platform: bool, f: AuditFilter, first: int | None, after: str | None) -> Connection[AuditLog]:
    qs = _base(ctx, platform)
    for value, name in ((f.action, "action"), (f.target_type, "targetType")):
        if value is not None and len(value) > 64:
            raise DomainError(Codes.TOO_LONG, "At most 64 characters", name)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.actor_id:
        qs = qs.filter(actor_id=decode_id(f.actor_id, "User", "actorId"))
    if f.since:
        qs = qs.filter(created_at__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__lt=f.until)
    return await paginate(qs, first=first, after=after, to_node=AuditLog.from_model, descending=True)


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Audit log of the caller's company, newest first (audit.read); platform=true for platform actions.")
    async def audit_logs(
        self, info: Info, filter: AuditFilter | None = None, platform: bool = False, first: int | None = 20,
        after: str | None = None,
    ) -> Connection[AuditLog]:
        return await list_audit(info.context, platform=platform, f=filter or AuditFilter(), first=first, after=after)

    @strawberry.field(description="Every action the audit log records, with its labels (any signed-in caller).")
    def audit_actions(self, info: Info) -> list[AuditAction]:
        require_user(info.context)
        return [AuditAction(code=code, name=name, name_en=name_en) for code, (name, name_en) in ACTIONS.items()]


register_node(AuditLog, nodes_by_pk(models.AuditLog, AuditLog.from_model))
