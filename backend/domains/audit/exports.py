"""The audit log as .xlsx, with each action's labels; actors the caller may not see are left blank, as the API shows
them null."""

from __future__ import annotations

import json
from typing import Any

from backend.core.context import Context
from backend.core.exports import Export, boolean, gid, local_time, moment, opt, register_export
from backend.domains.accounts.access import visible_names
from backend.domains.audit.actions import label
from backend.domains.audit.queries import list_audit
from backend.domains.audit.types import AuditFilter


async def _audit(ctx: Context, rows: list[Any]) -> list[list[Any]]:
    actors = await visible_names(ctx, {r.actor_id for r in rows if r.actor_id})
    return [[local_time(r.created_at), actors.get(r.actor_id, ""), r.action, " / ".join(label(r.action)),
             r.target_type, r.target_id, json.dumps(r.summary, ensure_ascii=False)[:2000], r.request_id] for r in rows]


register_export("auditLogs", Export(
    ["时间 Time", "操作人 Actor", "操作 Action", "操作名称 Action name", "对象类型 Target type", "对象 Target", "摘要 Summary",
     "请求 Request id"],
    lambda ctx, q: list_audit(ctx, platform=bool(boolean(q, "platform")), first=0, after=None, f=AuditFilter(
        action=opt(q, "action"), actor_id=gid(q, "actorId"), target_type=opt(q, "targetType"),
        since=moment(q, "since"), until=moment(q, "until"))),
    _audit, descending=True))
