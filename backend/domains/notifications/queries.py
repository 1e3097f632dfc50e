"""Thin resolvers for the caller's inbox; a person only ever sees their own messages."""

from __future__ import annotations

import strawberry

from backend.core.context import Context
from backend.core.gql import Info, register_node
from backend.core.pagination import Connection, paginate
from backend.core.permissions import require_user
from backend.domains.notifications import models, service
from backend.domains.notifications.types import Notification


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="The caller's inbox, newest first.")
    async def notifications(
        self, info: Info, first: int | None = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        qs = models.Notification.filter(user_id=require_user(info.context))
        if unread_only:
            qs = qs.filter(read_at=None)
        return await paginate(qs, first=first, after=after, to_node=Notification.from_model, descending=True)

    @strawberry.field(description="How many of the caller's messages are unread.")
    async def unread_notification_count(self, info: Info) -> int:
        return await service.unread_count(user_id=require_user(info.context))


async def notifications_for(ctx: Context, pks: list[int]) -> list[Notification | None]:
    if ctx.principal is None:
        return [None] * len(pks)
    rows = {r.id: r for r in await models.Notification.filter(id__in=pks, user_id=ctx.principal.user_id)}
    return [Notification.from_model(rows[k]) if k in rows else None for k in pks]


register_node(Notification, notifications_for)
