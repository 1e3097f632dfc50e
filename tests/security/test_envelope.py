"""Malformed request envelopes (HTTP bodies, query strings, multipart parts, WebSocket frames) get a coded 4xx.

Never a 500, a dropped socket or an INTERNAL error; /metrics is private in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from backend.core.envelope import MAX_DEPTH, MAX_FRAME_CHARS
from backend.settings import load_settings
from tests.domains.files.support import CSRF, UPLOAD, jpeg
from tests.factories import make_world, token_for
from tests.support.live_server import LiveServer, live_server

LEAK = re.compile(r"Traceback|File \"|[\w./\\-]+\.py\b")
TYPENAME = "{ __typename }"
SEARCH = "query($s: String) { communities(search: $s) { totalCount } }"
JSON = {"content-type": "application/json"}


def nested(depth: int, leaf: str = "1") -> str:
    """A JSON value `depth` arrays deep."""
    return "[" * depth + leaf + "]" * depth


async def refused(resp: httpx.Response, code: str, status: int = 400) -> dict[str, Any]:
    """The answer is a GraphQL-shaped refusal with this code and status, and shows no internals."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert not LEAK.search(resp.text), resp.text[:2000]
    body = resp.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    return body


async def post_raw(api: Any, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return await api.client.post("/graphql", content=content, headers={**JSON, **(headers or {})})


def body(query: str = TYPENAME, **extra: Any) -> bytes:
    return json.dumps({"query": query, **extra}).encode()


# ------------------------------------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize("content", [
    b'"{ __typename }"', b"null", b"5", b"true", b"[]", b'[{"query": "{ __typename }"}]', b"{}", b"",
    b"{not json", b'{"query": 5}', b'{"query": ""}', b'{"query": null}', b'{"query": ["{ __typename }"]}',
    body(variables=[]), body(variables="x"), body(operationName=5), body(extensions="x"), body(extensions=[1]),
    b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}",  # past Python's digit limit
], ids=["string", "null", "number", "bool", "empty-array", "batch", "empty-object", "empty", "not-json",
        "query-number", "query-empty", "query-null", "query-array", "variables-array", "variables-string",
        "operation-name-number", "extensions-string", "extensions-array", "huge-int"])
async def test_bodies_that_are_no_graphql_request_are_bad_request(api: Any, content: bytes) -> None:
    await refused(await post_raw(api, content), "BAD_REQUEST")


@pytest.mark.parametrize("content", [
    b"\xff\xfe{}",
    b'{"query": "{ __typename \xc3\x28 }"}',
    json.dumps({"query": TYPENAME}).encode("utf-16"),  # json.loads would guess UTF-16 from bytes
], ids=["garbage", "bad-sequence", "utf-16"])
async def test_bodies_that_are_not_utf8_are_bad_request(api: Any, content: bytes) -> None:
    await refused(await post_raw(api, content), "BAD_REQUEST")


@pytest.mark.parametrize("content", [
    b"[" * 100_000,
    b"{" + b'"a":{' * 50_000,
    b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"}}",
    body(variables={"a": json.loads(nested(MAX_DEPTH + 5))}),
    body(extensions={"a": json.loads(nested(MAX_DEPTH + 5))}),
], ids=["arrays-100k", "objects-50k", "variables-100k", "variables-37", "extensions-37"])
async def test_deep_nesting_is_refused(api: Any, content: bytes) -> None:
    await refused(await post_raw(api, content), "NESTING_TOO_DEEP")


async def test_moderate_nesting_passes_the_envelope(api: Any) -> None:
    resp = await post_raw(api, body(variables={"a": json.loads(nested(MAX_DEPTH - 2))}))
    assert resp.status_code == 200 and resp.json() == {"data": {"__typename": "Query"}}


async def test_bodies_past_one_megabyte_are_too_large(api: Any) -> None:
    big = body(variables={"pad": "x" * (2 * 1024 * 1024)})
    await refused(await post_raw(api, big), "PAYLOAD_TOO_LARGE", 413)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap counts as the body comes
        for i in range(0, len(big), 64 * 1024):
            yield big[i:i + 64 * 1024]

    resp = await api.client.post("/graphql", content=chunks(), headers=JSON)
    assert "content-length" not in resp.request.headers
    await refused(resp, "PAYLOAD_TOO_LARGE", 413)


async def test_a_body_just_under_the_cap_is_served(api: Any) -> None:
    resp = await post_raw(api, body(variables={"pad": "x" * (1000 * 1024)}))
    assert resp.status_code == 200 and resp.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"])
async def test_other_media_types_are_unsupported(api: Any, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    resp = await api.client.post("/graphql", content=body(), headers=headers)
    await refused(resp, "UNSUPPORTED_MEDIA_TYPE", 415)


async def test_refusals_speak_the_negotiated_media_type(api: Any) -> None:
    resp = await post_raw(api, b"[]", {"accept": "application/graphql-response+json"})
    await refused(resp, "BAD_REQUEST")
    assert resp.headers["content-type"].startswith("application/graphql-response+json")
    resp = await post_raw(api, b"[]", {"accept": "application/json"})
    assert resp.headers["content-type"].startswith("application/json")


# ------------------------------------------------------------------------------------------------ strings


@pytest.mark.parametrize("variables", [
    {"s": "\ud800"}, {"s": "a\udfffb"}, {"s": "\x00"}, {"s": "ok", "x": {"deep": ["\x00"]}}, {"\ud800": "key"},
], ids=["lone-high", "lone-low", "nul", "nested-nul", "surrogate-key"])
async def test_bad_strings_in_variables_are_invalid_string(api: Any, variables: dict[str, Any]) -> None:
    # json.dumps writes `\ud800` and `\u0000` escapes: the body is valid UTF-8 and valid JSON
    resp = await post_raw(api, body(SEARCH, variables=variables))
    await refused(resp, "INVALID_STRING")


async def test_a_surrogate_pair_is_an_ordinary_character(api: Any) -> None:
    resp = await post_raw(api, body(SEARCH, variables={"s": "\ud83d\ude00"}))
    assert resp.status_code == 200
    assert [e["extensions"]["code"] for e in resp.json()["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("content", [
    body('{ __type(name: "\x00") { name } }'),
    body('{ __type(name: "\ud800") { name } }'),
    body("# \ud800\n{ __typename }"),
    body(TYPENAME, operationName="\x00"),
], ids=["nul-in-literal", "surrogate-in-literal", "surrogate-in-comment", "nul-operation-name"])
async def test_bad_strings_in_the_document_are_invalid_string(api: Any, content: bytes) -> None:
    await refused(await post_raw(api, content), "INVALID_STRING")


async def test_escaped_nul_in_a_literal_is_invalid_string(api: Any) -> None:
    # The GraphQL escape \u0000 decodes to NUL only in the parsed document (StringLiteralGuard).
    for query in ('{ __type(name: "a\\u0000") { name } }', '{ __type(name: "\\u{0}") { name } }',
                  'query($s: String = "\\u0000") { communities(search: $s) { totalCount } }'):
        resp = await post_raw(api, body(query))
        assert resp.status_code == 200, resp.text
        answer = resp.json()
        assert answer.get("data") is None, answer
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID_STRING"], (query, answer)
        resp = await post_raw(api, body(query), {"accept": "application/graphql-response+json"})
        assert resp.status_code == 400 and "data" not in resp.json()


async def test_an_escaped_lone_surrogate_in_a_literal_does_not_parse(api: Any) -> None:
    resp = await post_raw(api, body('{ __type(name: "\\uD800") { name } }'))
    assert resp.status_code == 200
    assert [e["extensions"]["code"] for e in resp.json()["errors"]] == ["GRAPHQL_PARSE_FAILED"]


# -------------------------------------------------------------------------------------------------- GET


@pytest.mark.parametrize(("variables", "code"), [
    ('{"a": ' + "[" * 3000 + "}", "NESTING_TOO_DEEP"),
    (json.dumps({"a": json.loads(nested(MAX_DEPTH + 5))}), "NESTING_TOO_DEEP"),
    ('{"s": "\\u0000"}', "INVALID_STRING"),
    ('{"s": "\\ud800"}', "INVALID_STRING"),
    ("[1]", "BAD_REQUEST"),
    ('"x"', "BAD_REQUEST"),
    ("{nope", "BAD_REQUEST"),
], ids=["deep-3000", "deep-37", "nul", "surrogate", "array", "string", "not-json"])
async def test_get_variables_are_checked(api: Any, variables: str, code: str) -> None:
    resp = await api.client.get("/graphql", params={"query": SEARCH, "variables": variables})
    await refused(resp, code)


async def test_get_extensions_and_query_are_checked(api: Any) -> None:
    resp = await api.client.get("/graphql", params={"query": TYPENAME, "extensions": "[" * 3000})
    await refused(resp, "NESTING_TOO_DEEP")
    resp = await api.client.get("/graphql", params={"query": "{ __typename }\x00"})
    await refused(resp, "INVALID_STRING")


async def test_get_still_serves_queries(api: Any) -> None:
    resp = await api.client.get("/graphql", params={"query": SEARCH, "variables": '{"s": "x"}'})
    assert resp.status_code == 200 and resp.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    resp = await api.client.get("/graphql", params={"query": TYPENAME, "variables": "null"})
    assert resp.json() == {"data": {"__typename": "Query"}}


async def test_get_refuses_mutations_with_405(api: Any) -> None:
    resp = await api.client.get("/graphql", params={"query": "mutation { __typename }"})
    await refused(resp, "METHOD_NOT_ALLOWED", 405)
    assert resp.headers["allow"] == "POST"


# -------------------------------------------------------------------------------- operations over HTTP


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_subscriptions_over_http_are_refused(api: Any, method: str) -> None:
    query = "subscription { heartbeat(count: 1) }"
    if method == "POST":
        resp = await post_raw(api, body(query))
    else:
        resp = await api.client.get("/graphql", params={"query": query})
    await refused(resp, "SUBSCRIPTION_OVER_HTTP")
    # also when the subscription is picked by name from a document with a query
    resp = await post_raw(api, body("query Q { __typename } subscription S { heartbeat(count: 1) }",
                                    operationName="S"))
    await refused(resp, "SUBSCRIPTION_OVER_HTTP")


@pytest.mark.parametrize("content", [
    body("query A { __typename }", operationName="B"),
    body("fragment F on Query { __typename }"),
], ids=["unknown-name", "no-operation"])
async def test_documents_without_the_named_operation_are_refused(api: Any, content: bytes) -> None:
    await refused(await post_raw(api, content), "OPERATION_NOT_FOUND")


# -------------------------------------------------------------------------------------------- multipart


@pytest.fixture
async def uploader(api: Any) -> str:
    world = await make_world("A")
    return await token_for(world.owner)


def _operations(**variables: Any) -> str:
    return json.dumps({"query": UPLOAD, "variables": {"file": None, "purpose": "TICKET_PHOTO", **variables}})


async def _multipart(api: Any, token: str, fields: dict[str, str], with_file: bool = True) -> httpx.Response:
    files = {"0": ("photo.jpg", jpeg(), "image/jpeg")} if with_file else None
    return await api.client.post("/graphql", data=fields, files=files,
                                 headers={**CSRF, "authorization": f"Bearer {token}"})


MAP = json.dumps({"0": ["variables.file"]})


@pytest.mark.parametrize("fields", [
    {"operations": "{not json", "map": MAP},
    {"operations": '"a string"', "map": MAP},
    {"operations": json.dumps([json.loads(_operations())]), "map": MAP},
    {"operations": "null", "map": MAP},
    {"operations": json.dumps({"query": 5}), "map": MAP},
    {"operations": json.dumps({"query": UPLOAD, "variables": "x"}), "map": MAP},
    {"map": MAP},
    {"operations": _operations()},
    {"operations": _operations(), "map": "{not json"},
    {"operations": _operations(), "map": '["variables.file"]'},
    {"operations": _operations(), "map": '"variables.file"'},
    {"operations": _operations(), "map": json.dumps({"0": "variables.file"})},
    {"operations": _operations(), "map": json.dumps({"0": []})},
    {"operations": _operations(), "map": json.dumps({"0": [5]})},
    {"operations": _operations(), "map": json.dumps({"0": ["variables.nothing.here"]})},
    {"operations": _operations(), "map": json.dumps({"0": ["variables.purpose"]})},  # not a null placeholder
    {"operations": _operations(), "map": json.dumps({"0": ["query"]})},
    {"operations": _operations(), "map": json.dumps({"0": ["operationName"]})},
    {"operations": _operations(), "map": json.dumps({"0": ["variables"]})},
    {"operations": _operations(files=[None]), "map": json.dumps({"0": ["variables.files.1"]})},
    {"operations": _operations(files=[None]), "map": json.dumps({"0": ["variables.files.x"]})},
    {"operations": _operations(files=[None]), "map": json.dumps({"0": ["variables.files." + "9" * 5000]})},
    {"operations": _operations(), "map": json.dumps({"1": ["variables.file"]})},  # no part named 1
    {"operations": _operations(), "map": json.dumps({"operations": ["variables.file"]})},  # not a file part
], ids=["ops-not-json", "ops-string", "ops-array", "ops-null", "ops-query-number", "ops-variables-string",
        "ops-missing", "map-missing", "map-not-json", "map-array", "map-string", "map-entry-string",
        "map-entry-empty", "map-entry-number", "map-nowhere", "map-not-null", "map-query", "map-operation-name",
        "map-variables", "map-index-past-end", "map-index-not-number", "map-index-huge", "map-missing-file",
        "map-field-not-file"])
async def test_malformed_multipart_operations_and_map_are_bad_request(api: Any, uploader: str,
                                                                      fields: dict[str, str]) -> None:
    await refused(await _multipart(api, uploader, fields), "BAD_REQUEST")


async def test_multipart_operations_get_the_json_checks(api: Any, uploader: str) -> None:
    deep = _operations(extra=json.loads(nested(MAX_DEPTH + 5)))
    await refused(await _multipart(api, uploader, {"operations": deep, "map": MAP}), "NESTING_TOO_DEEP")
    await refused(await _multipart(api, uploader, {"operations": "[" * 50_000, "map": MAP}), "NESTING_TOO_DEEP")
    bad = _operations(note="\ud800")
    await refused(await _multipart(api, uploader, {"operations": bad, "map": MAP}), "INVALID_STRING")


async def test_broken_multipart_framing_is_bad_request(api: Any, uploader: str) -> None:
    headers = {**CSRF, "authorization": f"Bearer {uploader}"}
    for content_type, content in [
        ("multipart/form-data", b"--x\r\n"),  # no boundary parameter
        ("multipart/form-data; boundary=x", b"garbage without any boundary"),
        ("multipart/mixed; boundary=x", b"--x--\r\n"),
    ]:
        resp = await api.client.post("/graphql", content=content, headers={**headers, "content-type": content_type})
        await refused(resp, "BAD_REQUEST")


async def test_two_files_are_refused_and_one_is_served(api: Any, uploader: str) -> None:
    headers = {**CSRF, "authorization": f"Bearer {uploader}"}
    two = {"0": ("a.jpg", jpeg(), "image/jpeg"), "1": ("b.jpg", jpeg(), "image/jpeg")}
    resp = await api.client.post("/graphql", data={"operations": _operations(), "map": MAP}, files=two,
                                 headers=headers)
    await refused(resp, "BAD_REQUEST")
    resp = await _multipart(api, uploader, {"operations": _operations(), "map": MAP})
    assert resp.status_code == 200 and resp.json()["data"]["fileUpload"]["errors"] == [], resp.text


# ------------------------------------------------------------------------------------------- /metrics


async def _get_metrics(app: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        return await client.get("/metrics", headers=headers or {})


def _settings(tmp_path: Path, **changes: Any) -> Any:
    base = load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path), "LOG_FORMAT": "text",
                          "DATABASE_URL": f"sqlite://{tmp_path / 'unused.sqlite3'}", "METRICS_TOKEN": "from-env"})
    assert base.metrics_token == "from-env"
    return dataclasses.replace(base, **changes)


async def test_metrics_in_production_need_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend import settings as settings_module
    from backend.main import create_app

    token = "scrape-7f3a9c1e5b2d4f6a8c0e"
    prod = _settings(tmp_path, env="prod", metrics_token=token)
    monkeypatch.setattr(settings_module, "_override", prod)
    app = create_app(prod)
    for headers in [{}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {token}"},
                    {"authorization": token}, {"authorization": f"Bearer {token}x"}, {"authorization": "Bearer "}]:
        resp = await _get_metrics(app, headers)
        assert resp.status_code == 404 and "courtyard_" not in resp.text, headers
    resp = await _get_metrics(app, {"authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and "courtyard_http_requests_total" in resp.text
    resp = await _get_metrics(app, {"authorization": f"bearer  {token}"})
    assert resp.status_code == 200


async def test_metrics_in_production_without_a_token_are_never_served(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from backend import settings as settings_module
    from backend.main import create_app

    prod = _settings(tmp_path, env="prod", metrics_token="")
    monkeypatch.setattr(settings_module, "_override", prod)
    app = create_app(prod)
    for headers in [{}, {"authorization": "Bearer "}, {"authorization": "Bearer"}]:
        assert (await _get_metrics(app, headers)).status_code == 404


async def test_metrics_stay_open_in_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend import settings as settings_module
    from backend.main import create_app

    dev = _settings(tmp_path, env="dev", metrics_token="")
    monkeypatch.setattr(settings_module, "_override", dev)
    assert (await _get_metrics(create_app(dev))).status_code == 200


# ------------------------------------------------------------------------------------------- WebSocket


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(data_dir=tmp_path_factory.mktemp("envelope-data")) as srv:
        yield srv


def _ws_url(server: LiveServer) -> str:
    return server.url.replace("http", "ws", 1) + "/graphql"


async def _open(server: LiveServer, init: bool) -> Any:
    ws = await websockets.connect(_ws_url(server), subprotocols=["graphql-transport-ws"])
    if init:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    return ws


async def _close_code(ws: Any, frame: str | bytes, *, text: bool | None = None) -> tuple[int | None, str]:
    """Send one frame and read until the server closes; (close code, reason)."""
    await ws.send(frame, text=text)
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "the server dropped the connection without a close frame"
        return closed.rcvd.code, closed.rcvd.reason
    finally:
        await ws.close()


def _subscribe(payload: object, id: object = "1") -> str:
    return json.dumps({"type": "subscribe", "id": id, "payload": payload})


FRAMES = {
    "not-json": "nope",
    "array": "[1]",
    "string": '"connection_init"',
    "null": "null",
    "number": "5",
    "unknown-type": '{"type": "nope"}',
    "server-type": '{"type": "next", "id": "1", "payload": {}}',
    "no-type": "{}",
    "type-array": '{"type": ["subscribe"]}',
    "long-type": json.dumps({"type": "x" * 500}),
    "deep-60k": "[" * 60_000,
    "deep-payload": json.dumps({"type": "ping", "payload": {"a": json.loads(nested(MAX_DEPTH + 5))}}),
    "ping-payload-string": '{"type": "ping", "payload": "x"}',
    "init-payload-array": '{"type": "connection_init", "payload": [1]}',
    "init-nul-token": json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer \x00"}}),
    "init-surrogate-token": json.dumps({"type": "connection_init", "payload": {"authorization": "\ud800"}}),
    "subscribe-payload-string": _subscribe("x"),
    "subscribe-payload-null": _subscribe(None),
    "subscribe-no-payload": '{"type": "subscribe", "id": "1"}',
    "subscribe-id-array": _subscribe({"query": TYPENAME}, id=[1]),
    "subscribe-id-number": _subscribe({"query": TYPENAME}, id=1),
    "subscribe-no-id": '{"type": "subscribe", "payload": {"query": "{ __typename }"}}',
    "subscribe-query-number": _subscribe({"query": 5}),
    "subscribe-query-missing": _subscribe({}),
    "subscribe-variables-string": _subscribe({"query": TYPENAME, "variables": "x"}),
    "subscribe-variables-deep": _subscribe({"query": TYPENAME, "variables": {"a": json.loads(nested(MAX_DEPTH + 5))}}),
    "subscribe-operation-name-number": _subscribe({"query": TYPENAME, "operationName": 5}),
    "subscribe-extensions-array": _subscribe({"query": TYPENAME, "extensions": [1]}),
    "subscribe-nul-variable": _subscribe({"query": SEARCH, "variables": {"s": "\x00"}}),
    "subscribe-surrogate-variable": _subscribe({"query": SEARCH, "variables": {"s": "\udc00"}}),
    "subscribe-nul-query": _subscribe({"query": "{ __typename }\x00"}),
    "complete-no-id": '{"type": "complete"}',
}


@pytest.mark.slow
@pytest.mark.parametrize("init", [True, False], ids=["after-init", "before-init"])
@pytest.mark.parametrize("name", list(FRAMES))
async def test_malformed_frames_close_with_4400(server: LiveServer, name: str, init: bool) -> None:
    ws = await _open(server, init)
    code, reason = await _close_code(ws, FRAMES[name])
    assert code == 4400, (code, reason)
    assert len(reason.encode()) <= 123


@pytest.mark.slow
@pytest.mark.parametrize("init", [True, False], ids=["after-init", "before-init"])
async def test_binary_frames_close_with_4400(server: LiveServer, init: bool) -> None:
    for frame in (b'{"type": "ping"}', b"\xff\xfe\xfd"):
        assert (await _close_code(await _open(server, init), frame))[0] == 4400


@pytest.mark.slow
async def test_frames_past_the_cap_close_with_1009(server: LiveServer) -> None:
    big = json.dumps({"type": "ping", "payload": {"pad": "x" * MAX_FRAME_CHARS}})
    assert (await _close_code(await _open(server, True), big))[0] == 1009


@pytest.mark.slow
async def test_invalid_utf8_text_fails_the_connection_with_1007(server: LiveServer) -> None:
    # RFC 6455 makes the transport fail a text frame that is not UTF-8 (1007) before the app sees it.
    assert (await _close_code(await _open(server, True), b"\xff\xfe", text=True))[0] == 1007


@pytest.mark.slow
async def test_a_syntax_error_closes_with_4400_and_a_short_reason(server: LiveServer) -> None:
    ws = await _open(server, True)
    code, reason = await _close_code(ws, _subscribe({"query": "{ __typename } " + "b" * 400}))
    assert code == 4400 and reason.startswith("Syntax Error") and len(reason.encode()) <= 123


@pytest.mark.slow
async def test_long_close_reasons_are_cut_to_fit(server: LiveServer) -> None:
    # Strawberry names the duplicate id in its 4409 reason: 400 bytes would not fit a close frame.
    ws = await _open(server, True)
    long_id = "i" * 400
    await ws.send(_subscribe({"query": "subscription { heartbeat(count: 30) }"}, id=long_id))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "next"
    code, reason = await _close_code(ws, _subscribe({"query": "subscription { heartbeat(count: 30) }"}, id=long_id))
    assert code == 4409 and len(reason.encode()) <= 123


@pytest.mark.slow
async def test_an_escaped_nul_literal_over_websocket_is_an_operation_error(server: LiveServer) -> None:
    ws = await _open(server, True)
    try:
        await ws.send(_subscribe({"query": '{ __type(name: "\\u0000") { name } }'}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["type"] == "error", message
        assert [e["extensions"]["code"] for e in message["payload"]] == ["INVALID_STRING"]
        # the socket stays usable
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
    finally:
        await ws.close()


@pytest.mark.slow
async def test_well_formed_sockets_still_work(server: LiveServer) -> None:
    ws = await websockets.connect(_ws_url(server), subprotocols=["graphql-transport-ws"])
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": None}))  # null payload: allowed by the spec
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"type": "ping", "payload": {"at": 1}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
        await ws.send(_subscribe({"query": "subscription { heartbeat(count: 1) }", "variables": None,
                                  "operationName": None, "extensions": {"a": 1}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {
            "id": "1", "type": "next", "payload": {"data": {"heartbeat": 0}}}
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"id": "1", "type": "complete"}
    finally:
        await ws.close()


@pytest.mark.slow
def test_no_malformed_frame_left_a_traceback(server: LiveServer) -> None:
    # Runs after the socket tests of this module (same server): refusals are answers, not server errors.
    errors = [line for line in server.log_lines() if '"level": "ERROR"' in line]
    assert not [e for e in errors if "Invalid UTF-8" not in e], errors[:5]
