"""Live binding requests for staff dashboards: events after commit, access re-checked on every event; dashboards
with the same document and rights share one execution per event (core.live)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.types import Info

from backend.core import live
from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.ids import decode_id
from backend.core.permissions import Perm, community_scope, require_user
from backend.domains.residents.queries import bindings_for
from backend.domains.residents.service import channel, user_channel
from backend.domains.residents.types import UnitBinding


class BindingEventKind(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    INVITED = "invited"  # only to the invited person (viewerBindingEvents)
    REMOVED = "removed"  # only to the person removed from a unit (viewerBindingEvents)


strawberry.enum(BindingEventKind, description="What happened to a binding.")


@strawberry.type(description="A change to a binding: a request in the caller's communities (bindingEvents), or one "
                             "of the caller's own (viewerBindingEvents).")
class BindingEvent:
    kind: BindingEventKind = strawberry.field(description="What happened.")
    binding: UnitBinding = strawberry.field(description="The binding as it is now.")


@strawberry.type
class ResidentsSubscription:
    @strawberry.subscription(description="Binding requests as they are made and reviewed (binding.review).")
    async def binding_events(
        self, info: Info, community_id: strawberry.ID | None = None
    ) -> AsyncGenerator[BindingEvent, None]:
        ctx = info.context
        company_id, scope = community_scope(ctx, Perm.BINDING_REVIEW)
        only = decode_id(community_id, "Community", "communityId") if community_id else None
        if only is not None and scope is not None and only not in scope:
            raise DomainError(Codes.FORBIDDEN, "Not your community")

        def wants(event: dict[str, Any]) -> bool:
            return only is None or event.get("communityId") == only

        async def on_event(ctx: Context, event: dict[str, Any]) -> BindingEvent | None:
            community_scope(ctx, Perm.BINDING_REVIEW)  # a revoked session or lost role ends the stream
            node = (await bindings_for(ctx, [int(event["bindingId"])]))[0]
            return None if node is None else BindingEvent(kind=BindingEventKind(event["kind"]), binding=node)

        async for value in live.stream(info, channel(company_id), on_event, wants=wants):
            yield value

    @strawberry.subscription(description="The caller's own bindings as they change: a request approved, rejected or "
                                         "cancelled, an invitation into a household, a removal from a unit.")
    async def viewer_binding_events(self, info: Info) -> AsyncGenerator[BindingEvent, None]:
        uid = require_user(info.context)

        async def on_event(ctx: Context, event: dict[str, Any]) -> BindingEvent | None:
            require_user(ctx)  # a revoked session ends the stream
            node = (await bindings_for(ctx, [int(event["bindingId"])]))[0]
            return None if node is None else BindingEvent(kind=BindingEventKind(event["kind"]), binding=node)

        async for value in live.stream(info, user_channel(uid), on_event):
            yield value
