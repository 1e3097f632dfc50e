"""GraphQL types of the notifications domain: inbox messages."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.core.gql import Node, PayloadError, error_type
from backend.core.ids import encode_id
from backend.domains.notifications import models
from backend.domains.notifications.errors import NotificationCode


@error_type("Notification", NotificationCode)
class NotificationError(PayloadError):
    pass


@strawberry.type(description="A message in the caller's inbox, in Chinese and English.")
class Notification(Node):
    kind: str = strawberry.field(description="What it is about, e.g. ticket.completed.")
    title: str = strawberry.field(description="Title in Chinese.")
    title_en: str = strawberry.field(description="Title in English.")
    body: str = strawberry.field(description="Text in Chinese.")
    body_en: str = strawberry.field(description="Text in English.")
    target_id: strawberry.ID | None = strawberry.field(description="Global ID of the object it is about, if any.")
    read_at: datetime | None = strawberry.field(description="When it was marked read (UTC); null while unread.")
    created_at: datetime = strawberry.field(description="When it was sent (UTC).")

    @classmethod
    def from_model(cls, m: models.Notification) -> Notification:
        target = strawberry.ID(encode_id(m.target_type, m.target_id)) if m.target_type and m.target_id else None
        return cls(_pk=m.id, kind=m.kind, title=m.title, title_en=m.title_en, body=m.body, body_en=m.body_en,
                   target_id=target, read_at=m.read_at, created_at=m.created_at)


@strawberry.type(description="Result of marking messages read.")
class NotificationReadPayload:
    updated_count: int | None = strawberry.field(description="How many messages changed from unread to read.")
    errors: list[NotificationError] = strawberry.field(description="Why it did not work.")
