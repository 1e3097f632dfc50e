"""Live events shared by sockets that see the same thing (core.live), over real websockets against the app.

The app runs in this process under uvicorn, so the tests can count how often the event's selection is executed
(a counting resolver on CommunityTicketEvent.ticket) and compare every socket's payload with what a solo
subscription of the same caller (schema.subscribe, no socket, executed for that caller alone) receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvicorn
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection, connect

from backend.core import live, metrics
from backend.core.context import Context
from backend.core.crypto import open_phone
from backend.core.ids import encode_id
from backend.domains.accounts.models import Role, StaffGrant, StaffMember
from backend.domains.auth.service import authenticate
from backend.schema import schema
from tests.domains.repairs import support as s
from tests.domains.repairs.support import RepairWorld, create, other_community, repair_world
from tests.factories import make_staff, make_unit, make_user, token_for
from tests.support.live_server import free_port

CARD = """subscription Board($c: ID!) { communityTicketEvents(communityId: $c) { kind ticket {
  id number status community { name } unit { number building { name } } category { name } reporter { name }
  technician { name } contactPhone assignedToViewer timeline { kind actorName } } } }"""
SMALL = "subscription Board($c: ID!) { communityTicketEvents(communityId: $c) { kind ticket { id status } } }"
PHONES = """subscription Phones($c: ID!) { communityTicketEvents(communityId: $c) { kind ticket { id
  reporter { name phone } } } }"""
LOGOUT = "mutation { authLogout { ok errors { code } } }"
WAIT = 10.0


@pytest.fixture(scope="session")
async def ws_url(app: Any) -> AsyncIterator[str]:
    """The app served by uvicorn in this process and event loop (as `backend.cli serve` runs it)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None, access_log=False,
                            ws="websockets-sansio", ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task


class Board:
    """One graphql-transport-ws socket with one subscription; every message it gets, raw and decoded."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.raw: list[str] = []
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str, query: str, op_id: str = "1", **variables: Any) -> Board:
        ws = await connect(url, subprotocols=["graphql-transport-ws"], compression=None)  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": op_id, "type": "subscribe",
                                  "payload": {"query": query, "variables": variables}}))
        return cls(ws)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                self.raw.append(str(raw))
                await self.inbox.put(json.loads(raw))

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.inbox.get(), WAIT)

    async def event(self) -> dict[str, Any]:
        """The next message, which must be a `next` with data and no errors; its communityTicketEvents."""
        msg = await self.next()
        assert msg["type"] == "next" and not msg["payload"].get("errors"), msg
        return msg["payload"]["data"]["communityTicketEvents"]

    async def quiet(self, seconds: float = 0.3) -> bool:
        """True when nothing arrives for `seconds`."""
        try:
            msg = await asyncio.wait_for(self.inbox.get(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {msg}")

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


def _members() -> float:
    return metrics.REGISTRY.get_sample_value("courtyard_live_members") or 0.0


async def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def _open_all(url: str, specs: list[tuple[str, str]], community: str) -> list[Board]:
    """Sockets for (token, document) pairs, returned once every one has joined its group."""
    before = _members()
    boards = [await Board.open(url, token, query, c=community) for token, query in specs]
    await _until(lambda: _members() == before + len(specs), f"{len(specs)} grouped subscriptions")
    return boards


async def _close_all(boards: list[Board]) -> None:
    for board in boards:
        await board.close()
    await _until(lambda: _members() == 0, "every group to empty")


async def _solo(token: str, query: str, community: str) -> Any:
    """A subscription executed for this caller alone (no socket: core.live runs it solo), registered."""
    ctx = Context()
    ctx.authenticator = authenticate
    ctx.principal_loader = "auth.principal"
    ctx.authorization = f"Bearer {token}"
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    stream = await schema.subscribe(query, variable_values={"c": community}, context_value=ctx)
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.3)  # let it subscribe to the channel
    return stream, pending


@pytest.fixture
def executions(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the app's executions of the board's selection: CommunityTicketEvent.ticket resolves once in each."""
    calls = [0]
    served = next(r.endpoint for r in app.routes if isinstance(r, WebSocketRoute) and r.path == "/graphql").schema
    field = served._schema.type_map["CommunityTicketEvent"].fields["ticket"]
    original = field.resolve
    assert original is not None

    def counted(root: Any, info: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(root, info, **kwargs)

    monkeypatch.setattr(field, "resolve", counted)
    return calls


async def _manager(w: RepairWorld, name: str) -> str:
    return await token_for(await make_staff(w.company, "community_manager", w.community, name=name))


async def test_a_class_executes_each_event_once_and_every_class_sees_what_it_would_see_alone(
        api: Any, ws_url: str, executions: list[int]) -> None:
    # given three managers of the community (one visibility class), two company admins (another) on the console's
    # card, and a manager on a smaller document (another execution)
    w = await repair_world(api)
    managers = [await _manager(w, f"Manager {i}") for i in range(3)]
    admins = [w.tokens["admin"], await token_for(await make_staff(w.company, "company_admin", name="Admin 2"))]
    specs = [(t, CARD) for t in managers] + [(t, CARD) for t in admins] + [(managers[0], SMALL)]
    boards = await _open_all(ws_url, specs, w.community_id)
    stats = live.STATS.executions

    # when one ticket is reported
    created = (await create(api, w))["ticket"]
    events = [await b.event() for b in boards]

    # then the card was executed once for the managers, once for the admins and once for the small document
    assert executions[0] == 3
    assert live.STATS.executions - stats == 3
    assert {e["ticket"]["id"] for e in events} == {created["id"]}
    assert events[0] == events[1] == events[2] and events[3] == events[4]
    assert events[5] == {"kind": "CREATED", "ticket": {"id": created["id"], "status": "SUBMITTED"}}
    # same document and rights: the same bytes on every socket of the class
    assert boards[0].raw[-1] == boards[1].raw[-1] == boards[2].raw[-1]

    # and each class sees exactly what the same caller sees alone
    solos = [await _solo(managers[0], CARD, w.community_id), await _solo(admins[0], CARD, w.community_id),
             await _solo(managers[0], SMALL, w.community_id)]
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=created["id"])
    got = [await b.event() for b in boards]
    alone = []
    for stream, pending in solos:
        result = await asyncio.wait_for(pending, WAIT)
        assert result.errors is None, result.errors
        alone.append(result.data["communityTicketEvents"])
        await stream.aclose()
    assert got[0]["kind"] == "ACCEPTED" and got[0]["ticket"]["status"] == "ACCEPTED"
    assert got[0] == alone[0] and got[3] == alone[1] and got[5] == alone[2]
    assert got[0]["ticket"]["contactPhone"] and got[0]["ticket"]["timeline"][-1]["kind"] == "ACCEPTED"
    await _close_all(boards)


async def test_a_signed_out_or_demoted_caller_stops_at_the_next_event_while_its_class_goes_on(
        api: Any, ws_url: str) -> None:
    # given four managers with the same rights watching the board
    w = await repair_world(api)
    users = [await make_staff(w.company, "community_manager", w.community, name=f"Board {i}") for i in range(4)]
    tokens = [await token_for(u) for u in users]
    boards = await _open_all(ws_url, [(t, CARD) for t in tokens], w.community_id)
    first = (await create(api, w))["ticket"]
    assert [(await b.event())["ticket"]["id"] for b in boards] == [first["id"]] * 4

    # when one signs out, one loses the staff role and one has its session revoked with a password change
    assert (await api.gql(LOGOUT, token=tokens[1]))["authLogout"]["ok"]
    await StaffMember.filter(user_id=users[2].id).update(is_active=False)
    second = (await create(api, w))["ticket"]

    # then at that very event they get their error (no data) and their subscription completes, while the
    # member who is still allowed gets the event
    assert (await boards[0].event())["ticket"]["id"] == second["id"]
    assert (await boards[3].event())["ticket"]["id"] == second["id"]
    for board, code in ((boards[1], "TOKEN_REVOKED"), (boards[2], "FORBIDDEN")):
        msg = await board.next()
        assert msg["type"] == "next" and msg["payload"]["data"] is None, msg
        assert [e["extensions"]["code"] for e in msg["payload"]["errors"]] == [code], msg
        assert (await board.next()) == {"id": "1", "type": "complete"}
        assert second["id"] not in "".join(board.raw)

    # and the next event reaches the others, and only them
    third = (await create(api, w))["ticket"]
    for board in (boards[0], boards[3]):
        assert (await board.event())["ticket"]["id"] == third["id"]
    for board in (boards[1], boards[2]):
        assert await board.quiet()
    await _close_all(boards)


async def test_a_caller_who_sees_masked_phones_never_gets_the_full_ones(api: Any, ws_url: str) -> None:
    # given a manager (owner.phone: the reporter's phone in full) and a board viewer (ticket.read only: the
    # reporter's name and masked phone), on the same document in the same community
    w = await repair_world(api)
    role = await Role.create(code="board_viewer", name="看板", name_en="Board viewer", permissions=["ticket.read"])
    assert role.id
    viewer_user = await make_staff(w.company, "board_viewer", w.community, name="Viewer")
    viewer, manager = await token_for(viewer_user), await _manager(w, "Phones")
    boards = await _open_all(ws_url, [(viewer, PHONES), (manager, PHONES)], w.community_id)
    alone = await _solo(viewer, PHONES, w.community_id)

    # when the owner reports a repair
    await create(api, w)

    # then the manager gets the full phone, the viewer the masked one: exactly what it gets alone
    full = open_phone(w.owner.phone_enc, w.owner.phone_hash)
    seen_by_viewer, seen_by_manager = await boards[0].event(), await boards[1].event()
    assert seen_by_manager["ticket"]["reporter"]["phone"] == full
    masked = seen_by_viewer["ticket"]["reporter"]["phone"]
    assert masked != full and "****" in masked
    stream, pending = alone
    result = await asyncio.wait_for(pending, WAIT)
    assert result.errors is None and result.data["communityTicketEvents"] == seen_by_viewer
    await stream.aclose()
    assert full not in "".join(boards[0].raw)
    await _close_all(boards)


async def test_a_caller_whose_rights_change_but_still_may_see_carries_on_alone_without_loss_or_duplicates(
        api: Any, ws_url: str) -> None:
    # given two managers with the same rights watching the board
    w = await repair_world(api)
    users = [await make_staff(w.company, "community_manager", w.community, name=f"Grant {i}") for i in range(2)]
    boards = await _open_all(ws_url, [(await token_for(u), CARD) for u in users], w.community_id)
    evictions = live.STATS.evictions

    # when one of them is given a role in another community as well (a new visibility class) and two tickets
    # are reported right after each other
    other, _ = await other_community(w)
    staff = await StaffMember.get(user_id=users[1].id, company_id=w.company.id)
    role = await Role.get(code="customer_service")
    await StaffGrant.create(company_id=w.company.id, staff_id=staff.id, role_id=role.id, community_id=other.id)
    first, second = (await create(api, w))["ticket"], (await create(api, w))["ticket"]

    # then both still get both events, once each and in order: the changed one from that event on alone
    for board in boards:
        assert [(await board.event())["ticket"]["id"] for _ in range(2)] == [first["id"], second["id"]]
        assert await board.quiet()
    assert live.STATS.evictions - evictions == 1
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=first["id"])
    for board in boards:
        event = await board.event()
        assert (event["kind"], event["ticket"]["id"]) == ("ACCEPTED", first["id"])
    await _close_all(boards)


async def test_completing_one_grouped_subscription_leaves_the_others_and_the_per_socket_limit_holds(
        api: Any, ws_url: str) -> None:
    # given one socket holding 20 board subscriptions (the limit) of one class, and another socket of the class
    w = await repair_world(api)
    token = w.tokens["manager"]
    before = _members()
    many = await Board.open(ws_url, token, SMALL, op_id="s0", c=w.community_id)
    for i in range(1, 20):
        await many.ws.send(json.dumps({"id": f"s{i}", "type": "subscribe",
                                       "payload": {"query": SMALL, "variables": {"c": w.community_id}}}))
    other = await Board.open(ws_url, token, SMALL, c=w.community_id)
    await _until(lambda: _members() == before + 21, "21 grouped subscriptions")

    # when a 21st is asked for, it is refused; when the client completes one, that one stops
    await many.ws.send(json.dumps({"id": "s20", "type": "subscribe",
                                   "payload": {"query": SMALL, "variables": {"c": w.community_id}}}))
    refusal = await many.next()
    assert refusal["type"] == "error" and refusal["id"] == "s20", refusal
    await many.ws.send(json.dumps({"id": "s0", "type": "complete"}))
    await _until(lambda: _members() == before + 20, "the completed subscription to leave its group")
    created = (await create(api, w))["ticket"]

    # then the event reaches the 19 left on the first socket and the other socket, once each
    got = [await many.next() for _ in range(19)]
    assert sorted(m["id"] for m in got) == sorted(f"s{i}" for i in range(1, 20))
    assert all(m["payload"]["data"]["communityTicketEvents"]["ticket"]["id"] == created["id"] for m in got)
    assert (await other.event())["ticket"]["id"] == created["id"]
    assert await many.quiet()
    await _close_all([many, other])


BINDINGS = """subscription Bindings($c: ID) { bindingEvents(communityId: $c) { kind binding { status
  unit { number } user { name phone } } } }"""


async def test_binding_reviewers_share_an_execution_and_see_what_they_would_see_alone(api: Any, ws_url: str) -> None:
    # given three reviewers of the same class (two without a filter, one filtered to the community)
    w = await repair_world(api)
    reviewers = [await _manager(w, f"Reviewer {i}") for i in range(3)]
    before = _members()
    boards = [await Board.open(ws_url, reviewers[0], BINDINGS), await Board.open(ws_url, reviewers[1], BINDINGS),
              await Board.open(ws_url, reviewers[2], BINDINGS, c=w.community_id)]
    await _until(lambda: _members() == before + 3, "3 grouped subscriptions")
    ctx = Context()
    ctx.authenticator, ctx.principal_loader, ctx.authorization = authenticate, "auth.principal", f"Bearer {reviewers[0]}"
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    alone = await schema.subscribe(BINDINGS, context_value=ctx)
    pending = asyncio.ensure_future(alone.__anext__())
    await asyncio.sleep(0.3)
    executions = live.STATS.executions

    # when someone asks to be bound to a unit of the community
    unit = await make_unit(w.building, "808")
    user = await make_user("Applicant")
    data = await api.gql('mutation R($u: ID!) { bindingRequest(unitId: $u, relation: TENANT) { errors { code } } }',
                         {"u": encode_id("Unit", unit.id)}, token=await token_for(user))
    assert data["bindingRequest"]["errors"] == []

    # then the two documents (with and without the filter) were executed once each, and every reviewer sees what
    # the first one sees alone: the applicant's phone in full (owner.phone)
    got = []
    for board in boards:
        msg = await board.next()
        assert msg["type"] == "next" and not msg["payload"].get("errors"), msg
        got.append(msg["payload"]["data"]["bindingEvents"])
    assert live.STATS.executions - executions == 2
    result = await asyncio.wait_for(pending, WAIT)
    assert result.errors is None and got[0] == got[1] == got[2] == result.data["bindingEvents"]
    assert got[0]["kind"] == "REQUESTED" and got[0]["binding"]["unit"]["number"] == "808"
    assert got[0]["binding"]["user"]["phone"] == open_phone(user.phone_enc, user.phone_hash)
    await alone.aclose()
    await _close_all(boards)
