"""Live tickets: one ticket's state for its reporter, staff and technician; a community's board for staff.

Subscribed first, read second, so no change falls between the current state and the first event; access is
checked on subscribe and again (with the caller reloaded) before every event is sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from backend.core import live
from backend.core.context import Context, event_loads
from backend.core.errors import Codes, DomainError
from backend.core.ids import decode_id
from backend.core.permissions import Perm, require_perm
from backend.core.runtime import get_runtime
from backend.domains.repairs.loaders import TICKET_ROW
from backend.domains.repairs.models import EventKind
from backend.domains.repairs.queries import tickets_for
from backend.domains.repairs.types import Ticket
from backend.domains.repairs.workflow import community_channel, ticket_channel
from backend.domains.tenancy.models import Community


@strawberry.type(description="A change to a ticket of a community: what happened and the ticket as it is now.")
class CommunityTicketEvent:
    kind: EventKind = strawberry.field(description="What happened.")
    ticket: Ticket = strawberry.field(description="The ticket after the change.")


@strawberry.type
class RepairsSubscription:
    @strawberry.subscription(description="A ticket now, then after every change (its reporter, the community's "
                                         "staff with ticket.read, or its technician).")
    async def ticket_updates(self, info: Info, id: strawberry.ID) -> AsyncGenerator[Ticket, None]:
        ctx = info.context
        pk = decode_id(id, "Ticket")
        if (await tickets_for(ctx, [pk]))[0] is None:
            raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
        async with get_runtime().broker.subscribe(ticket_channel(pk)) as events:
            ctx.reset_loaders()
            current = (await tickets_for(ctx, [pk]))[0]
            if current is None:
                return
            yield current
            async for event in events:
                ctx.reset_loaders(event_loads(event.get("eid")))
                await ctx.refresh_principal()  # a revoked session or a lost role ends the stream
                current = (await tickets_for(ctx, [pk]))[0]
                if current is None:
                    raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
                yield current

    @strawberry.subscription(description="Ticket changes of a community as they happen, for staff boards "
                                         "(ticket.read).")
    async def community_ticket_events(
        self, info: Info, community_id: strawberry.ID
    ) -> AsyncGenerator[CommunityTicketEvent, None]:
        ctx = info.context
        pk = decode_id(community_id, "Community", "communityId")
        company_id = require_perm(ctx, Perm.TICKET_READ, pk)
        if not await Community.filter(id=pk, company_id=company_id).exists():
            raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")

        async def on_event(ctx: Context, event: dict[str, Any]) -> CommunityTicketEvent | None:
            # Boards of one event read the ticket (and its relations) together; ticket.read in this community
            # shows every ticket of it. Boards with the same document and rights share one execution (core.live).
            company_id = require_perm(ctx, Perm.TICKET_READ, pk)
            row = await TICKET_ROW.of(ctx).load(int(event["ticketId"]))
            if row is None or row.company_id != company_id or row.community_id != pk:
                return None
            return CommunityTicketEvent(kind=EventKind(event["kind"]), ticket=Ticket.from_model(row))

        async for value in live.stream(info, community_channel(pk), on_event):
            yield value
