"""Subscriptions over graphql-transport-ws against real server processes; with Redis, across two processes."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.support.live_server import live_server

REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
PASSWORD = "Courtyard2026"
MANAGER, TECHNICIAN, OWNER = "13800000002", "13800000004", "13900000001"
SUBSCRIBE = """subscription Live { bindingEvents { kind binding { status unit { number } user { name } } } }"""


async def _gql(base: str, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        resp = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = resp.json()
    assert not body.get("errors"), body
    return body["data"]


async def _login(base: str, phone: str) -> str:
    data = await _gql(base, 'mutation L($p: String!, $w: String!) { authPasswordLogin(phone: $p, password: $w) '
                            '{ tokens { accessToken } errors { code } } }', p=phone, w=PASSWORD)
    return data["authPasswordLogin"]["tokens"]["accessToken"]


async def _unit_id(base: str, token: str, number: str) -> str:
    data = await _gql(base, "query U($s: String) { units(filter: {search: $s}, first: 1) { nodes { id } } }", token, s=number)
    return data["units"]["nodes"][0]["id"]


class Socket:
    """A minimal graphql-transport-ws client."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, base: str, token: str | None) -> tuple[Socket, dict[str, Any]]:
        ws = await websockets.connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=["graphql-transport-ws"])
        sock = cls(ws)
        await sock.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"} if token else {}})
        return sock, await sock.recv()

    async def send(self, msg: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(msg))

    async def recv(self) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), 10))

    async def close(self) -> None:
        await self.ws.close()


async def _subscribe(base: str, token: str) -> Socket:
    sock, ack = await Socket.open(base, token)
    assert ack["type"] == "connection_ack", ack
    await sock.send({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    await asyncio.sleep(0.5)  # let the server register the subscription before the event is made
    return sock


async def _request_binding(base: str, number: str) -> None:
    manager = await _login(base, MANAGER)
    unit = await _unit_id(base, manager, number)
    owner = await _login(base, OWNER)
    data = await _gql(base, 'mutation R($u: ID!) { bindingRequest(unitId: $u, relation: TENANT) { errors { code } } }',
                      owner, u=unit)
    assert data["bindingRequest"]["errors"] == []


async def test_staff_see_binding_requests_live_and_others_are_refused(tmp_path: Path) -> None:
    with live_server(data_dir=tmp_path) as server:
        base = server.url
        sock = await _subscribe(base, await _login(base, MANAGER))
        await _request_binding(base, "301")
        msg = await sock.recv()
        assert msg["type"] == "next", msg
        event = msg["payload"]["data"]["bindingEvents"]
        assert event["kind"] == "REQUESTED" and event["binding"]["unit"]["number"] == "301"
        assert event["binding"]["status"] == "PENDING"
        await sock.close()

        # a technician may not review bindings: the subscription is refused with a code
        tech, ack = await Socket.open(base, await _login(base, TECHNICIAN))
        assert ack["type"] == "connection_ack"
        await tech.send({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        msg = await tech.recv()
        assert msg["type"] == "error" or msg["payload"].get("errors"), msg
        errors = msg["payload"] if msg["type"] == "error" else msg["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        await tech.close()

        # a forged token is refused at connection_init: the socket closes with 4403 Forbidden
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await Socket.open(base, "not-a-token")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


if REDIS_URL:

    async def test_event_from_one_process_reaches_a_subscriber_on_another(tmp_path: Path) -> None:
        env = {"REDIS_URL": REDIS_URL}
        with live_server(env, data_dir=tmp_path) as first, live_server(env, data_dir=tmp_path) as second:
            sock = await _subscribe(second.url, await _login(second.url, MANAGER))
            await _request_binding(first.url, "302")  # the write and the publish happen in the first process
            msg = await sock.recv()
            assert msg["type"] == "next", msg
            event = msg["payload"]["data"]["bindingEvents"]
            assert event["kind"] == "REQUESTED" and event["binding"]["unit"]["number"] == "302"
            await sock.close()
