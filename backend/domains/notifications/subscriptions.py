"""The caller's inbox, live: a new message or a change of the unread count, re-checked on every event."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from backend.core import live
from backend.core.context import Context
from backend.core.gql import Info
from backend.core.permissions import require_user
from backend.domains.notifications import service
from backend.domains.notifications.queries import notifications_for
from backend.domains.notifications.types import Notification


@strawberry.type(description="A change to the caller's inbox.")
class NotificationEvent:
    notification: Notification | None = strawberry.field(
        description="The message that just arrived; null when messages were marked read.")
    unread_count: int = strawberry.field(description="How many messages are unread now.")


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="The caller's inbox as it changes: each new message, and the unread count "
                                         "after messages are marked read (on any of their devices).")
    async def notification_events(self, info: Info) -> AsyncGenerator[NotificationEvent, None]:
        uid = require_user(info.context)

        async def on_event(ctx: Context, event: dict[str, Any]) -> NotificationEvent | None:
            me = require_user(ctx)  # a revoked session ends the stream
            node = None
            if event.get("notificationId") is not None:
                node = (await notifications_for(ctx, [int(event["notificationId"])]))[0]
                if node is None:
                    return None
            return NotificationEvent(notification=node, unread_count=await service.unread_count(user_id=me))

        async for value in live.stream(info, service.channel(uid), on_event):
            yield value
