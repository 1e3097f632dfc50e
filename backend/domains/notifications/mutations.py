"""Thin mutation resolvers for the caller's inbox."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_ids
from backend.core.permissions import require_user
from backend.domains.notifications import service
from backend.domains.notifications.types import NotificationError, NotificationReadPayload


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark some of the caller's messages read (at most 100).")
    async def notification_mark_read(self, info: Info, ids: list[strawberry.ID]) -> NotificationReadPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            pks = decode_ids(list(ids), "Notification", "ids")
            return {"updated_count": await service.mark_read(user_id=uid, ids=pks)}

        return await run_mutation(info, NotificationReadPayload, NotificationError, run)

    @strawberry.mutation(description="Mark all of the caller's messages read.")
    async def notification_mark_all_read(self, info: Info) -> NotificationReadPayload:
        async def run() -> dict[str, Any]:
            return {"updated_count": await service.mark_read(user_id=require_user(info.context), ids=None)}

        return await run_mutation(info, NotificationReadPayload, NotificationError, run)
