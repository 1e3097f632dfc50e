"""Audit log: every staff mutation records who, what, when and a summary of the change."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.domains.audit.models import AuditLog

SECRET_KEYS = {"password", "newpassword", "adminpassword", "code", "smscode", "refreshtoken"}
MAX_VALUE = 200


def _redact(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return "…"
    if isinstance(value, dict):
        return {k: ("***" if k.lower().replace("_", "") in SECRET_KEYS else _redact(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v, depth + 1) for v in value[:20]]
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[:MAX_VALUE] + "…"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


async def record(
    *, ctx: Context, action: str, target_type: str = "", target_id: str = "", summary: dict[str, Any] | None = None,
    company_id: int | None = None, platform: bool = False,
) -> AuditLog:
    """Write one audit row inside the mutation's transaction."""
    assert ctx.principal is not None
    if not platform and company_id is None:
        # Platform actions stay in the platform log even when the admin's session is in a company.
        company_id = ctx.principal.company_id
    return await AuditLog.create(
        company_id=company_id,
        actor_id=ctx.principal.user_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=_redact(summary or {}),
        request_id=ctx.request_id,
    )
