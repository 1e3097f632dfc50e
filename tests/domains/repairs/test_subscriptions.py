"""Live tickets through schema.subscribe: the current state first, then every change; access is checked."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.core.context import Context
from backend.domains.accounts.models import StaffMember
from backend.domains.auth.service import authenticate
from backend.schema import schema
from tests.domains.repairs import support as s
from tests.domains.repairs.support import create, other_community, repair_world, second_owner, ticket_in
from tests.factories import make_staff, token_for
from tests.support.sqlcount import count_statements

UPDATES = "subscription($id: ID!) { ticketUpdates(id: $id) { id status technician { name } } }"
BOARD = """subscription($communityId: ID!) { communityTicketEvents(communityId: $communityId) {
  kind ticket { id status } } }"""


async def _context(token: str) -> Context:
    ctx = Context()
    ctx.authenticator = authenticate
    ctx.principal_loader = "auth.principal"  # as backend.main sets it up for sockets
    ctx.authorization = f"Bearer {token}"
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    return ctx


async def _subscribe(query: str, token: str, **variables: Any) -> Any:
    return await schema.subscribe(query, variable_values=variables, context_value=await _context(token))


async def _next(stream: Any) -> Any:
    result = await asyncio.wait_for(stream.__anext__(), 5)
    assert result.errors is None, result.errors
    return result.data


async def _refused(query: str, token: str, **variables: Any) -> list[str]:
    stream = await _subscribe(query, token, **variables)
    results = [stream] if not hasattr(stream, "__anext__") else [r async for r in stream]
    assert len(results) == 1 and results[0].data is None
    return [e.extensions["code"] for e in results[0].errors]


async def test_the_owner_gets_the_current_state_then_every_change(api):
    # given a submitted ticket and its reporter subscribed
    w = await repair_world(api)
    tid = await ticket_in(api, w, "SUBMITTED")
    stream = await _subscribe(UPDATES, w.tokens["owner"], id=tid)
    # then the current state comes first
    assert (await _next(stream))["ticketUpdates"] == {"id": tid, "status": "SUBMITTED", "technician": None}
    # when staff accept and assign, then each change arrives
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=tid)
    assert (await _next(stream))["ticketUpdates"]["status"] == "ACCEPTED"
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(0))
    assigned = (await _next(stream))["ticketUpdates"]
    assert assigned == {"id": tid, "status": "ASSIGNED", "technician": {"name": "Tech A1"}}
    await stream.aclose()


async def test_staff_and_the_assigned_technician_may_follow_a_ticket_others_may_not(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    _, neighbour, _ = await second_owner(w)
    community, _ = await other_community(w)
    outsider = await token_for(await make_staff(w.company, "community_manager", community))
    other = await repair_world(api, "B")
    # when / then
    for who in ("manager", "service", "tech1"):
        stream = await _subscribe(UPDATES, w.tokens[who], id=tid)
        assert (await _next(stream))["ticketUpdates"]["status"] == "ASSIGNED", who
        await stream.aclose()
    for token in (w.tokens["tech2"], neighbour, outsider, other.tokens["admin"], other.tokens["owner"]):
        assert await _refused(UPDATES, token, id=tid) == ["NOT_FOUND"]


async def test_a_technician_who_loses_the_ticket_stops_receiving_it(api):
    # given tech1 follows their ticket
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    stream = await _subscribe(UPDATES, w.tokens["tech1"], id=tid)
    await _next(stream)
    # when it is reassigned to tech2
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(1))
    # then the stream ends with NOT_FOUND instead of showing the ticket
    result = await asyncio.wait_for(stream.__anext__(), 5)
    assert result.data is None and [e.extensions["code"] for e in result.errors] == ["NOT_FOUND"]


async def test_the_community_board_sees_new_tickets_and_changes(api):
    # given a manager watching the board
    w = await repair_world(api)
    stream = await _subscribe(BOARD, w.tokens["manager"], communityId=w.community_id)
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.3)  # let the subscription register before the first event
    # when an owner reports a repair and staff accept it
    created = (await create(api, w))["ticket"]
    first = await asyncio.wait_for(pending, 5)
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=created["id"])
    second = await _next(stream)
    # then
    assert first.errors is None
    assert first.data["communityTicketEvents"] == {"kind": "CREATED", "ticket": {"id": created["id"],
                                                                                  "status": "SUBMITTED"}}
    assert second["communityTicketEvents"] == {"kind": "ACCEPTED", "ticket": {"id": created["id"],
                                                                              "status": "ACCEPTED"}}
    await stream.aclose()


async def test_the_board_needs_ticket_read_in_that_community_and_rechecks_it(api):
    # given
    w = await repair_world(api)
    community, _ = await other_community(w)
    outsider = await token_for(await make_staff(w.company, "community_manager", community))
    other = await repair_world(api, "B")
    # when / then
    for token in (w.tokens["owner"], w.tokens["tech1"], outsider):
        assert await _refused(BOARD, token, communityId=w.community_id) == ["FORBIDDEN"]
    assert await _refused(BOARD, other.tokens["admin"], communityId=w.community_id) == ["NOT_FOUND"]
    # a manager who is disabled mid-stream gets no further events
    manager = await make_staff(w.company, "community_manager", w.community, name="Soon gone")
    stream = await _subscribe(BOARD, await token_for(manager), communityId=w.community_id)
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.3)
    await StaffMember.filter(user_id=manager.id).update(is_active=False)
    await create(api, w)
    result = await asyncio.wait_for(pending, 5)
    assert result.data is None and [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]


async def test_the_owner_watches_the_technician_move_while_work_is_in_progress(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    query = "subscription($id: ID!) { ticketUpdates(id: $id) { status technicianPosition { latitude } } }"
    stream = await _subscribe(query, w.tokens["owner"], id=tid)
    assert (await _next(stream))["ticketUpdates"] == {"status": "IN_PROGRESS", "technicianPosition": None}
    consent = "mutation($id: ID!) { ticketLocationConsent(id: $id, consent: true) { errors { code } } }"
    report = """mutation($id: ID!, $lat: Float!) { ticketLocationReport(id: $id, input: {latitude: $lat,
      longitude: 121.47}) { errors { code } } }"""
    assert (await s.run(api, consent, w.tokens["tech1"], id=tid))["errors"] == []
    assert (await _next(stream))["ticketUpdates"]["technicianPosition"] is None  # consent alone shows nothing
    for lat in (31.2, 31.21):
        assert (await s.run(api, report, w.tokens["tech1"], id=tid, lat=lat))["errors"] == []
        assert (await _next(stream))["ticketUpdates"]["technicianPosition"] == {"latitude": lat}
    await s.ok(api, s.COMPLETE, w.tokens["tech1"], id=tid)
    assert (await _next(stream))["ticketUpdates"] == {"status": "COMPLETED", "technicianPosition": None}
    await stream.aclose()


BOARD_CARD = """subscription($communityId: ID!) { communityTicketEvents(communityId: $communityId) { kind ticket {
  id number status community { name } unit { number building { name } } category { name } reporter { name }
  technician { name } timeline { kind actorName } } } }"""


async def _board_event_cost(api, w, viewers: int) -> tuple[int, list[dict]]:
    """Statements run while `viewers` boards receive one event, and what each received."""
    streams = []
    for i in range(viewers):
        manager = await make_staff(w.company, "community_manager", w.community, name=f"Board {viewers}-{i}")
        streams.append(await _subscribe(BOARD_CARD, await token_for(manager), communityId=w.community_id))
    pending = [asyncio.ensure_future(st.__anext__()) for st in streams]
    await asyncio.sleep(0.3)  # let every subscription register
    with count_statements() as counter:  # the report itself costs the same whatever the number of viewers
        created = (await create(api, w))["ticket"]
        results = [await asyncio.wait_for(p, 5) for p in pending]
    for st in streams:
        await st.aclose()
    assert all(r.errors is None for r in results)
    got = [r.data["communityTicketEvents"] for r in results]
    assert {g["ticket"]["id"] for g in got} == {created["id"]}
    return counter.count, got


async def test_a_board_event_reads_the_ticket_and_its_relations_once_for_all_viewers(api):
    # given boards open with the console's card fields; when one ticket is reported
    w = await repair_world(api)
    few, got_few = await _board_event_cost(api, w, 2)
    many, got_many = await _board_event_cost(api, w, 6)
    # then every viewer got the whole card, and four more viewers cost no more statements: the callers are
    # re-checked together and the ticket with its relations is read once
    card = got_many[0]["ticket"]
    assert card["unit"]["building"]["name"] and card["category"]["name"] and card["reporter"]["name"]
    assert [e["kind"] for e in card["timeline"]] == ["CREATED"]
    # (MariaDB now and then answers one phase with 2 statements fewer, either phase, seen in about 1 run in 10 under
    # load; one statement more per viewer would show as 4 more here, so the margin still catches that.)
    assert abs(many - few) <= 2, (few, many)
