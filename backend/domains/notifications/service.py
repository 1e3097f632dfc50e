"""Notifications: write inbox messages inside the caller's transaction; list, count and mark them read."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.domains.notifications.models import Notification

MAX_IDS = 100


def channel(user_id: int) -> str:
    """Pub/sub channel of one person's inbox (notificationEvents)."""
    return f"user:{user_id}:notifications"


async def notify(
    *, user_id: int, company_id: int | None, kind: str, title: str, title_en: str, body: str = "", body_en: str = "",
    target_type: str = "", target_id: int | None = None,
) -> Notification:
    """Put a message in one person's inbox (inside the surrounding transaction; announced after it commits)."""
    row = await Notification.create(
        user_id=user_id, company_id=company_id, kind=kind, title=title[:100], title_en=title_en[:100],
        body=body[:500], body_en=body_en[:500], target_type=target_type, target_id=target_id,
    )
    events.emit(channel(user_id), {"notificationId": row.id})
    return row


async def unread_count(*, user_id: int) -> int:
    """How many of a person's messages are unread."""
    return await Notification.filter(user_id=user_id, read_at=None).count()


async def mark_read(*, user_id: int, ids: list[int] | None) -> int:
    """Mark the caller's messages read (these ids, or all when None); returns how many changed."""
    if ids is not None and len(ids) > MAX_IDS:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_IDS} IDs", "ids")
    qs = Notification.filter(user_id=user_id, read_at=None)
    if ids is not None:
        # Someone else's message (or none) among the ids refuses the whole request.
        if await Notification.filter(user_id=user_id, id__in=ids).count() != len(set(ids)):
            raise DomainError(Codes.NOT_FOUND, "No such notification", "ids")
        qs = qs.filter(id__in=ids)
    changed = await qs.update(read_at=datetime.now(UTC))
    if changed:
        events.emit(channel(user_id), {"notificationId": None})  # the person's other screens update their badge
    return changed
