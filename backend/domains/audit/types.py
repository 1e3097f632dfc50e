"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.core.access import visible_one
from backend.core.gql import Info, Node
from backend.core.prefetch import loaded
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.types import User
from backend.domains.audit import models
from backend.domains.audit.actions import label
from backend.domains.audit.loaders import AUDIT_TARGET


@strawberry.type(description="An action the audit log records, with its labels.")
class AuditAction:
    code: str = strawberry.field(description="Stable code, e.g. unit.create.")
    name: str = strawberry.field(description="Label in Chinese.")
    name_en: str = strawberry.field(description="Label in English.")


@strawberry.type(description="One recorded staff action.")
class AuditLog(Node):
    action: str = strawberry.field(description="What was done, e.g. unit.create.")
    action_name: str = strawberry.field(description="What was done, in Chinese.")
    action_name_en: str = strawberry.field(description="What was done, in English.")
    target_type: str = strawberry.field(description="Type of the object acted on.")
    target_id: str = strawberry.field(description="Global ID of the object acted on.")
    summary: JSON = strawberry.field(description="Summary of the change (secrets redacted).")
    request_id: str = strawberry.field(description="Request id, to find the matching log lines.")
    created_at: datetime = strawberry.field(description="When (UTC).")
    _actor_id: strawberry.Private[int | None]
    _company_id: strawberry.Private[int | None]
    _community_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.AuditLog) -> AuditLog:
        name, name_en = label(m.action)
        return cls(
            _pk=m.id, action=m.action, action_name=name, action_name_en=name_en, target_type=m.target_type, target_id=m.target_id, summary=JSON(m.summary),
            request_id=m.request_id, created_at=m.created_at, _actor_id=m.actor_id,
            _company_id=m.company_id, _community_id=m.community_id,
        )

    @strawberry.field(description="Who did it.")
    async def actor(self, info: Info) -> User | None:
        if self._actor_id is None:
            return None
        row = await USER.of(info.context).load(self._actor_id)
        return await visible_one(info.context, User.from_model(row)) if row is not None else None

    @strawberry.field(description="The object acted on, as it is now; null when it is gone or the caller may not "
                                  "see it.")
    @loaded(AUDIT_TARGET, lambda self: self.target_id or None, visible=True)
    def target(self, value: Any) -> Node | None:
        return value


@strawberry.input(description="Filters for the audit log.")
class AuditFilter:
    action: str | None = strawberry.field(default=None, description="Action, or its prefix such as unit.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Only this user's actions.")
    target_type: str | None = strawberry.field(default=None, description="Only this type of object.")
    since: datetime | None = strawberry.field(default=None, description="At or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Before this time.")
