"""Audit log: every staff mutation records who, what, when and a summary of the change."""

from __future__ import annotations

import logging
from typing import Any

from tortoise import Tortoise

from backend.core.context import Context
from backend.core.errors import DomainError
from backend.core.ids import decode_any
from backend.domains.audit.actions import ACTIONS
from backend.domains.audit.models import AuditLog
from backend.settings import get_settings

log = logging.getLogger("courtyard.audit")

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


async def community_of(target_type: str, target_id: str) -> int | None:
    """The community a target (by its type and global ID) belongs to; None for company-wide or unknown targets."""
    try:
        type_name, pk = decode_any(target_id)
    except DomainError:
        return None
    if type_name != target_type:
        return None
    apps = Tortoise.apps or {}
    for app in apps.values():
        model = app.get(type_name)
        # A target deleted by the mutation is gone: its entry stays company-wide (null).
        if model is not None and type_name == "Community":
            return pk if await model.filter(id=pk).exists() else None
        if model is not None and "community" in model._meta.fields_map:
            rows = await model.filter(id=pk).values_list("community_id", flat=True)
            return rows[0] if rows else None
    return None


async def record(
    *, ctx: Context, action: str, target_type: str = "", target_id: str = "", summary: dict[str, Any] | None = None,
    company_id: int | None = None, platform: bool = False, community_id: int | None = None,
) -> AuditLog:
    """Write one audit row inside the mutation's transaction, with the community its target belongs to."""
    assert ctx.principal is not None
    if action not in ACTIONS:
        # The log shows actions by their labels: an unlisted action is a bug, loud outside production.
        if get_settings().dev:
            raise RuntimeError(f"audit action {action} has no label: add it to backend/domains/audit/actions.py")
        log.error("audit action %s has no label", action)
    if not platform and company_id is None:
        # Platform actions stay in the platform log even when the admin's session is in a company.
        company_id = ctx.principal.company_id
    if community_id is None and target_id and company_id is not None:
        community_id = await community_of(target_type, str(target_id))
    return await AuditLog.create(
        company_id=company_id,
        community_id=community_id,
        actor_id=ctx.principal.user_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=_redact(summary or {}),
        request_id=ctx.request_id,
    )
