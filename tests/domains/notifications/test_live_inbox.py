"""The inbox, live: each new message and the unread count after marking read reach only their person."""

from __future__ import annotations

import asyncio
import contextlib

from tests.domains.repairs import support as s
from tests.domains.repairs.support import repair_world, ticket_in
from tests.support.subscribe import listening, value

LIVE = "subscription { notificationEvents { unreadCount notification { kind title titleEn } } }"
READ_ALL = "mutation { notificationMarkAllRead { errors { code } } }"


async def test_a_new_message_and_the_read_count_arrive_live_for_their_person_only(api):
    # Given an owner's submitted ticket, the owner and a technician subscribed to their inboxes
    w = await repair_world(api)
    tid = await ticket_in(api, w, "SUBMITTED")
    owner, first = await listening(LIVE, w.tokens["owner"])
    tech, tech_first = await listening(LIVE, w.tokens["tech2"])
    # When staff accept the ticket
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=tid)
    # Then the owner hears of it, with the unread count
    event = await value(first, "notificationEvents")
    assert event["notification"]["kind"] == "ticket.accepted" and event["unreadCount"] >= 1
    # When they mark everything read, their stream says so with no message
    following = asyncio.ensure_future(owner.__anext__())
    await api.gql(READ_ALL, token=w.tokens["owner"])
    read = await value(following, "notificationEvents")
    assert read == {"unreadCount": 0, "notification": None}
    # and the other technician, whose inbox nothing reached, heard nothing
    await asyncio.sleep(0.2)
    assert not tech_first.done()
    tech_first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tech_first
    await owner.aclose()
