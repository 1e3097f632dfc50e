"""Live tickets over graphql-transport-ws against real server processes; with Redis, across two processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.live_server import live_server
from tests.test_live_subscriptions import REDIS_URL, Socket, _gql, _login

MANAGER, TECHNICIAN = "13800000002", "13800000004"
OWNER, NEIGHBOUR, OTHER_OWNER = "13900000001", "13900000002", "13900000004"  # the last lives in the 2nd community
TICKET = "id number status"
UPDATES = f"subscription Updates($id: ID!) {{ ticketUpdates(id: $id) {{ {TICKET} }} }}"
BOARD = f"subscription Board($c: ID!) {{ communityTicketEvents(communityId: $c) {{ kind ticket {{ {TICKET} }} }} }}"
HOME = "query Home { viewer { bindings { status unit { id } community { id } } } }"
CATEGORIES = "query Cats($c: ID) { repairCategories(communityId: $c) { id } }"
CREATE = f"""mutation Create($input: TicketCreateInput!) {{
  ticketCreate(input: $input) {{ ticket {{ {TICKET} }} errors {{ code field }} }} }}"""
ACCEPT = f"mutation Accept($id: ID!) {{ ticketAccept(id: $id) {{ ticket {{ {TICKET} }} errors {{ code }} }} }}"
NOTE = "mutation Note($id: ID!, $n: String!) { ticketNoteAdd(id: $id, note: $n) { errors { code } } }"
BOARD_TICKETS = "query Open($c: ID!) { tickets(filter: {communityId: $c, status: [ACCEPTED]}, first: 1) { nodes { id } } }"
WAIT = 10.0


async def _home(base: str, token: str) -> tuple[str, str]:
    """(unit ID, community ID) of the caller's approved home."""
    bindings = (await _gql(base, HOME, token))["viewer"]["bindings"]
    home = next(b for b in bindings if b["status"] == "APPROVED")
    return home["unit"]["id"], home["community"]["id"]


async def _create_ticket(base: str, token: str, unit: str, community: str) -> dict[str, Any]:
    category = (await _gql(base, CATEGORIES, token, c=community))["repairCategories"][0]["id"]
    data = await _gql(base, CREATE, token, input={
        "unitId": unit, "categoryId": category, "description": "客厅插座没电 Living-room socket is dead",
        "idempotencyKey": uuid.uuid4().hex,
    })
    assert data["ticketCreate"]["errors"] == [], data
    return data["ticketCreate"]["ticket"]


async def _accept(base: str, token: str, ticket_id: str) -> None:
    data = await _gql(base, ACCEPT, token, id=ticket_id)
    assert data["ticketAccept"]["errors"] == [], data
    assert data["ticketAccept"]["ticket"]["status"] == "ACCEPTED"


async def _open(base: str, token: str, query: str, **variables: Any) -> Socket:
    sock, ack = await Socket.open(base, token)
    assert ack["type"] == "connection_ack", ack
    await sock.send({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})
    return sock


async def _next(sock: Socket, field: str, match: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    """The first pushed value of `field` that matches, skipping others (e.g. readiness notes); fails on errors."""
    deadline = time.monotonic() + WAIT
    while True:
        msg = await asyncio.wait_for(sock.recv(), max(0.01, deadline - time.monotonic()))
        assert msg["type"] == "next" and not msg["payload"].get("errors"), msg
        value = msg["payload"]["data"][field]
        if match(value):
            return value


async def _refusal(base: str, token: str, query: str, **variables: Any) -> str:
    """The error code a subscription is refused with (it must not yield any data)."""
    sock = await _open(base, token, query, **variables)
    try:
        msg = await sock.recv()
    finally:
        await sock.close()
    assert msg["type"] in ("next", "error"), msg
    errors = msg["payload"] if msg["type"] == "error" else msg["payload"].get("errors")
    assert errors and not (msg["type"] == "next" and any((msg["payload"].get("data") or {}).values())), msg
    return errors[0]["extensions"]["code"]


async def _board_ready(board: Socket, publisher: str, manager: str, community: str) -> None:
    """Prove the board's subscription is registered: a note on some accepted ticket must come through.

    A subscription is acknowledged by nothing, so instead of sleeping, add notes until one arrives.
    """
    some = (await _gql(publisher, BOARD_TICKETS, manager, c=community))["tickets"]["nodes"][0]["id"]
    for attempt in range(20):
        data = await _gql(publisher, NOTE, manager, id=some, n=f"readiness {attempt}")
        assert data["ticketNoteAdd"]["errors"] == [], data
        try:
            await asyncio.wait_for(_next(board, "communityTicketEvents", _is(some, "NOTE")), 0.5)
        except TimeoutError:
            continue
        return
    raise AssertionError("the board subscription never received a note")


def _is(ticket_id: str, kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event["kind"] == kind and event["ticket"]["id"] == ticket_id


async def test_owner_and_board_see_a_ticket_change_live_and_outsiders_are_refused(tmp_path: Path) -> None:
    with live_server(data_dir=tmp_path) as server:
        base = server.url
        owner, manager = await _login(base, OWNER), await _login(base, MANAGER)
        unit, community = await _home(base, owner)

        # given a manager watching the community's board
        board = await _open(base, manager, BOARD, c=community)
        await _board_ready(board, base, manager, community)

        # when the owner reports a repair, the board sees it arrive
        ticket = await _create_ticket(base, owner, unit, community)
        assert ticket["status"] == "SUBMITTED"
        event = await _next(board, "communityTicketEvents", _is(ticket["id"], "CREATED"))
        assert event["ticket"] == ticket

        # the owner follows their ticket: the first message is its current state
        follow = await _open(base, owner, UPDATES, id=ticket["id"])
        assert await _next(follow, "ticketUpdates") == ticket

        # a technician sees neither a community's board (ticket.work is not ticket.read) nor a ticket still
        # waiting for acceptance; neighbours and owners elsewhere do not see someone else's ticket
        technician = await _login(base, TECHNICIAN)
        assert await _refusal(base, technician, BOARD, c=community) == "FORBIDDEN"
        assert await _refusal(base, technician, UPDATES, id=ticket["id"]) == "NOT_FOUND"
        for phone in (NEIGHBOUR, OTHER_OWNER):
            assert await _refusal(base, await _login(base, phone), UPDATES, id=ticket["id"]) == "NOT_FOUND"
        # an owner has no board, and the manager has none of a community outside their grant
        assert await _refusal(base, owner, BOARD, c=community) == "FORBIDDEN"
        _, elsewhere = await _home(base, await _login(base, OTHER_OWNER))
        assert elsewhere != community
        assert await _refusal(base, manager, BOARD, c=elsewhere) == "FORBIDDEN"

        # when the manager accepts it, both sockets get the new status without asking
        await _accept(base, manager, ticket["id"])
        await _next(follow, "ticketUpdates", lambda t: t["status"] == "ACCEPTED")
        event = await _next(board, "communityTicketEvents", _is(ticket["id"], "ACCEPTED"))
        assert event["ticket"]["status"] == "ACCEPTED"

        # once accepted it is open for grabbing in this community, so the technician may now follow it
        grab = await _open(base, technician, UPDATES, id=ticket["id"])
        assert (await _next(grab, "ticketUpdates"))["status"] == "ACCEPTED"
        for sock in (board, follow, grab):
            await sock.close()


if REDIS_URL:

    async def test_ticket_events_from_one_process_reach_subscribers_on_another(tmp_path: Path) -> None:
        env = {"REDIS_URL": REDIS_URL}
        with live_server(env, data_dir=tmp_path) as first, live_server(env, data_dir=tmp_path) as second:
            writer, reader = first.url, second.url
            owner, manager = await _login(writer, OWNER), await _login(writer, MANAGER)
            unit, community = await _home(writer, owner)

            # the board is on the second process; its readiness note is written through the first
            board = await _open(reader, manager, BOARD, c=community)
            await _board_ready(board, writer, manager, community)

            ticket = await _create_ticket(writer, owner, unit, community)
            event = await _next(board, "communityTicketEvents", _is(ticket["id"], "CREATED"))
            assert event["ticket"] == ticket

            follow = await _open(reader, owner, UPDATES, id=ticket["id"])
            assert await _next(follow, "ticketUpdates") == ticket

            await _accept(writer, manager, ticket["id"])  # the write and the publish happen in the first process
            await _next(follow, "ticketUpdates", lambda t: t["status"] == "ACCEPTED")
            event = await _next(board, "communityTicketEvents", _is(ticket["id"], "ACCEPTED"))
            assert event["ticket"]["status"] == "ACCEPTED"
            for sock in (board, follow):
                await sock.close()
