"""Trusted documents: the shipped manifest is valid (the CI check), ids in both forms, the TRUSTED_DOCUMENTS modes,
refusals with typed codes, no parse per request, and subscriptions by id over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from graphql import OperationDefinitionNode, build_schema, parse, specified_rules, validate

from backend.core import limits, trusted
from backend.main import TRUSTED_MANIFEST
from backend.schema import build
from backend.settings import SMS_TEMPLATE_NAMES, SettingsError, get_settings, load_settings, override_settings
from tests.factories import make_platform_admin, make_world, token_for
from tests.support.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "frontend" / "src" / "api", REPO / "frontend" / "src" / "h5" / "api"]
ADHOC = "query Adhoc { __typename }"
REGISTER = """mutation R($app: String!, $documents: [String!]!) {
  trustedDocumentsRegister(app: $app, documents: $documents) { documents { documentId } errors { code } } }"""
COUNT = "query Count { unreadNotificationCount }"


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def manifest() -> dict[str, str]:
    return json.loads(TRUSTED_MANIFEST.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------ the manifest (CI check)


def test_every_manifest_entry_is_its_id_and_validates_against_the_committed_schema() -> None:
    sdl = build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
    entries = manifest()
    assert entries, "the manifest is empty: run `npm run codegen` in frontend/"
    for doc_id, text in entries.items():
        assert sha(text) == doc_id, f"{doc_id}: not the SHA-256 of its text; run `npm run codegen`"
        errors = validate(sdl, parse(text), specified_rules)
        assert errors == [], f"{doc_id} no longer validates against schema.graphql: {errors[0].message}"


def test_the_live_schema_trusts_every_manifest_entry() -> None:
    _, index = build()
    assert index.load_manifest(TRUSTED_MANIFEST) == []
    assert index.shipped_ids == set(manifest())


def _operations(text: str) -> set[str]:
    return {d.name.value for d in parse(text).definitions if isinstance(d, OperationDefinitionNode) and d.name}


def test_every_operation_in_the_source_is_in_the_manifest() -> None:
    written: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.graphql"):
            written |= _operations(path.read_text(encoding="utf-8"))
    shipped = set().union(*(_operations(text) for text in manifest().values()))
    assert written, "no operations found under frontend/src/api"
    assert written - shipped == set(), "operations missing from the manifest: run `npm run codegen` in frontend/"


def _entry(operation: str) -> tuple[str, str]:
    """The shipped document holding this operation."""
    found = [(k, v) for k, v in manifest().items() if operation in _operations(v)]
    assert found, f"no manifest entry has the operation {operation}"
    return found[0]


def test_the_setting_is_off_in_development_owners_in_production_and_nothing_else(tmp_path: Path) -> None:
    dev = {"COURTYARD_ENV": "dev", "COURTYARD_DATA_DIR": str(tmp_path)}
    assert load_settings(dev).trusted_documents == "off"
    assert load_settings({**dev, "COURTYARD_ENV": "test"}).trusted_documents == "off"
    prod = {"COURTYARD_ENV": "prod", "COURTYARD_DATA_DIR": str(tmp_path), "SECRET_KEY": "s" * 40,
            "FIELD_ENCRYPTION_KEY": "A" * 43, "FIELD_HASH_KEY": "B" * 43, "SMS_BACKEND": "aliyun",
            "SMS_ACCESS_KEY_ID": "id", "SMS_ACCESS_KEY_SECRET": "secret", "SMS_SIGN_NAME": "sign",
            **{f"SMS_TEMPLATE_{name.upper()}": "SMS_1" for name in SMS_TEMPLATE_NAMES}}
    assert load_settings(prod).trusted_documents == "owners"
    assert load_settings({**prod, "TRUSTED_DOCUMENTS": "all"}).trusted_documents == "all"
    assert load_settings({**dev, "TRUSTED_DOCUMENTS": "Owners"}).trusted_documents == "owners"
    for bad in ("none", "staff", "yes"):
        with pytest.raises(SettingsError, match="TRUSTED_DOCUMENTS"):
            load_settings({**dev, "TRUSTED_DOCUMENTS": bad})


# ------------------------------------------------------------------------------------------------ requests


@pytest.fixture
def mode() -> Callable[[str], None]:
    def set_mode(value: str) -> None:
        override_settings(dataclasses.replace(get_settings(), trusted_documents=value))

    return set_mode


async def post(api: Any, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await api.client.post("/graphql", json=body, headers=headers)


def code_of(resp: httpx.Response) -> str:
    return resp.json()["errors"][0]["extensions"]["code"]


@pytest.fixture
async def callers() -> dict[str, str | None]:
    world = await make_world("trusted")
    return {"anonymous": None, "owner": await token_for(world.owner), "staff": await token_for(world.admin),
            "platform": await token_for(await make_platform_admin())}


async def test_a_shipped_document_runs_by_either_id_form_over_post_and_get(api, mode, callers):
    mode("owners")
    doc_id, text = _entry("Viewer")
    owner = callers["owner"]
    by_document_id = await post(api, {"documentId": doc_id}, owner)
    by_apollo = await post(api, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": doc_id[7:]}},
                                 "operationName": "Viewer"}, owner)
    with_text = await post(api, {"documentId": doc_id, "query": text}, owner)
    by_get = await api.client.get("/graphql", params={"documentId": doc_id},
                                  headers={"authorization": f"Bearer {owner}"})
    for resp in (by_document_id, by_apollo, with_text, by_get):
        assert resp.status_code == 200, resp.text
        assert resp.json()["data"]["viewer"]["isPlatformAdmin"] is False
    adhoc = await post(api, {"query": text}, owner)  # the same operation as text of the owner's own
    assert (adhoc.status_code, code_of(adhoc)) == (400, "TRUSTED_DOCUMENT_REQUIRED")


async def test_unknown_ids_malformed_ids_and_mismatched_text_are_refused(api, mode, callers):
    mode("off")
    staff = callers["staff"]
    unknown = await post(api, {"documentId": sha("query Nobody { __typename }")}, staff)
    assert (unknown.status_code, code_of(unknown)) == (400, "PERSISTED_QUERY_NOT_FOUND")
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # what Apollo clients look for
    doc_id, _ = _entry("Viewer")
    mismatch = await post(api, {"documentId": doc_id, "query": ADHOC}, staff)
    assert (mismatch.status_code, code_of(mismatch)) == (400, "DOCUMENT_ID_MISMATCH")
    both = await post(api, {"documentId": doc_id,
                            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(ADHOC)[7:]}}}, staff)
    assert code_of(both) == "DOCUMENT_ID_MISMATCH"
    for body in ({"documentId": "md5:abc"}, {"documentId": doc_id.upper()}, {"documentId": 5},
                 {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": doc_id[7:]}}},
                 {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": doc_id}}},
                 {"extensions": {"persistedQuery": "x"}}, {}):
        resp = await post(api, body, staff)
        assert (resp.status_code, code_of(resp)) == (400, "BAD_REQUEST"), body


# Whether text may be sent, by mode and caller; ids are always accepted.
MATRIX = {
    "off": {"anonymous": True, "owner": True, "staff": True, "platform": True},
    "owners": {"anonymous": False, "owner": False, "staff": True, "platform": True},
    "all": {"anonymous": False, "owner": False, "staff": False, "platform": False},
}


@pytest.mark.parametrize("setting", list(MATRIX))
async def test_modes_decide_who_may_send_text(api, mode, callers, setting):
    mode(setting)
    doc_id, _ = _entry("Viewer")
    for who, token in callers.items():
        adhoc = await post(api, {"query": ADHOC}, token)
        if MATRIX[setting][who]:
            assert adhoc.status_code == 200 and adhoc.json() == {"data": {"__typename": "Query"}}, (who, adhoc.text)
        else:
            assert (adhoc.status_code, code_of(adhoc)) == (400, "TRUSTED_DOCUMENT_REQUIRED"), who
            assert "data" not in adhoc.json()
        by_id = await post(api, {"documentId": doc_id}, token)
        assert by_id.status_code == 200, (who, by_id.text)
        errors = by_id.json().get("errors") or []
        assert all(e["extensions"]["code"] == "UNAUTHENTICATED" for e in errors), (who, errors)  # ran: viewer


async def test_an_owner_upload_by_id_passes_in_owners_mode(api, mode, callers):
    mode("owners")
    doc_id, _ = _entry("H5FileUpload")
    operations = json.dumps({"documentId": doc_id, "variables": {"file": None, "purpose": "TICKET_PHOTO"}})
    files = {"operations": (None, operations), "map": (None, json.dumps({"0": ["variables.file"]})),
             "0": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")}
    headers = {"authorization": f"Bearer {callers['owner']}", "x-courtyard-csrf": "1"}
    resp = await api.client.post("/graphql", files=files, headers=headers)
    assert resp.status_code == 200, resp.text
    assert "fileUpload" in resp.json()["data"]
    text = json.dumps({"query": manifest()[doc_id], "variables": {"file": None, "purpose": "TICKET_PHOTO"}})
    files["operations"] = (None, text)
    refused = await api.client.post("/graphql", files=files, headers=headers)
    assert (refused.status_code, code_of(refused)) == (400, "TRUSTED_DOCUMENT_REQUIRED")


async def test_an_owners_ad_hoc_document_is_refused_and_the_same_registered_runs_by_id(api, mode, callers):
    mode("owners")
    owner = callers["owner"]
    adhoc = await post(api, {"query": COUNT}, owner)
    assert (adhoc.status_code, code_of(adhoc)) == (400, "TRUSTED_DOCUMENT_REQUIRED")
    unknown = await post(api, {"documentId": sha(COUNT)}, owner)
    assert code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    await api.gql(REGISTER, {"app": "mini", "documents": [COUNT]}, callers["platform"])
    by_id = await post(api, {"documentId": sha(COUNT)}, owner)
    assert (by_id.status_code, by_id.json()) == (200, {"data": {"unreadNotificationCount": 0}})
    with_text = await post(api, {"documentId": sha(COUNT), "query": COUNT}, owner)  # text and its id: the id runs
    assert with_text.json() == {"data": {"unreadNotificationCount": 0}}


async def test_an_unknown_id_with_its_own_text_runs_as_text_for_whoever_may_send_text(api, mode, callers):
    mode("owners")
    text = "query Retry { __typename }"  # what an Apollo client sends after PersistedQueryNotFound
    for who, expected in (("staff", 200), ("platform", 200), ("owner", 400), ("anonymous", 400)):
        resp = await post(api, {"query": text, "extensions": {"persistedQuery": {"version": 1,
                                                                                 "sha256Hash": sha(text)[7:]}}},
                          callers[who])
        assert resp.status_code == expected, (who, resp.text)
        if expected == 400:
            assert code_of(resp) == "PERSISTED_QUERY_NOT_FOUND", who
        else:
            assert resp.json() == {"data": {"__typename": "Query"}}, who


# ------------------------------------------------------------------------------------ no parse per request


class Spy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parses = self.validations = 0
        real_parse, real_validate = limits.parse, limits.validate_document

        def parse_spy(*args: Any, **kwargs: Any) -> Any:
            self.parses += 1
            return real_parse(*args, **kwargs)

        def validate_spy(*args: Any, **kwargs: Any) -> Any:
            self.validations += 1
            return real_validate(*args, **kwargs)

        for module in (limits, trusted):
            monkeypatch.setattr(module, "parse", parse_spy)
            monkeypatch.setattr(module, "validate_document", validate_spy)


async def test_trusted_documents_are_neither_parsed_nor_validated_per_request(api, mode, callers, monkeypatch):
    mode("owners")
    admin, owner = callers["platform"], callers["owner"]
    registered = await api.gql(REGISTER, {"app": "mini", "documents": [COUNT]}, admin)
    assert registered["trustedDocumentsRegister"]["errors"] == []
    shipped_id, _ = _entry("Viewer")
    spy = Spy(monkeypatch)
    for _ in range(3):
        assert (await post(api, {"documentId": shipped_id}, owner)).status_code == 200
        resp = await post(api, {"documentId": sha(COUNT)}, owner)  # registered: parsed when it was registered
        assert resp.json() == {"data": {"unreadNotificationCount": 0}}
    assert (spy.parses, spy.validations) == (0, 0)
    fresh = f"query Fresh{id(spy)} {{ __typename }}"  # the spy does see what is not trusted
    await post(api, {"query": fresh}, callers["staff"])
    assert (spy.parses, spy.validations) == (1, 1)


# --------------------------------------------------------------------------------------- over WebSocket


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server({"TRUSTED_DOCUMENTS": "owners"}, data_dir=tmp_path_factory.mktemp("trusted-data")) as srv:
        yield srv


async def _login(base: str, phone: str) -> str:
    doc_id, _ = _entry("AuthPasswordLogin")
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        resp = await client.post("/graphql", json={"documentId": doc_id,
                                                   "variables": {"phone": phone, "password": "Courtyard2026"}})
    data = resp.json()["data"]
    return next(iter(data.values()))["tokens"]["accessToken"]


async def _socket(server: LiveServer, token: str | None) -> Any:
    ws = await websockets.connect(server.url.replace("http", "ws", 1) + "/graphql",
                                  subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": token} if token else {}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    return ws


async def _messages(ws: Any, op: str) -> list[dict[str, Any]]:
    """The messages of operation `op` until its complete or error."""
    seen = []
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if message.get("id") == op:
            seen.append(message)
            if message["type"] in ("complete", "error"):
                return seen


@pytest.mark.slow
async def test_subscriptions_by_id_over_websocket(server: LiveServer) -> None:
    beat = "subscription Beat { heartbeat(count: 1) }"
    admin = await _login(server.url, "13800000000")
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        # the platform admin is staff of no company but may send text in owners mode
        resp = await client.post("/graphql", json={"query": REGISTER, "variables": {"app": "ws", "documents": [beat]}},
                                 headers={"authorization": f"Bearer {admin}"})
    assert resp.json()["data"]["trustedDocumentsRegister"]["errors"] == []
    owner = await _login(server.url, "13900000001")
    for token in (owner, None):
        ws = await _socket(server, token)
        try:
            await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": {"query": "", "extensions": {
                "persistedQuery": {"version": 1, "sha256Hash": sha(beat)[7:]}}}}))
            assert [m["type"] for m in await _messages(ws, "a")] == ["next", "complete"]
            await ws.send(json.dumps({"id": "b", "type": "subscribe", "payload": {"documentId": sha(beat),
                                                                                  "query": ""}}))
            got = await _messages(ws, "b")
            assert got[0]["payload"] == {"data": {"heartbeat": 0}}
            await ws.send(json.dumps({"id": "c", "type": "subscribe", "payload": {"query": beat}}))
            refused = await _messages(ws, "c")
            assert [(m["type"], m["payload"][0]["extensions"]["code"]) for m in refused] == [
                ("error", "TRUSTED_DOCUMENT_REQUIRED")]
            await ws.send(json.dumps({"id": "d", "type": "subscribe", "payload": {"documentId": sha("x")}}))
            unknown = await _messages(ws, "d")
            assert unknown[0]["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
            await ws.send(json.dumps({"id": "e", "type": "subscribe", "payload": {"documentId": sha(beat)}}))
            assert [m["type"] for m in await _messages(ws, "e")] == ["next", "complete"]  # the socket carries on
        finally:
            await ws.close()
    ws = await _socket(server, admin)  # staff may still subscribe with text
    try:
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": beat}}))
        assert [m["type"] for m in await _messages(ws, "s")] == ["next", "complete"]
    finally:
        await ws.close()


@pytest.mark.slow
async def test_a_withdrawal_holds_at_once_in_another_process(tmp_path: Path) -> None:
    env = {"TRUSTED_DOCUMENTS": "owners"}
    with live_server(env, data_dir=tmp_path) as first, live_server(env, data_dir=tmp_path) as second:
        admin, owner = await _login(first.url, "13800000000"), await _login(second.url, "13900000001")
        async with httpx.AsyncClient(timeout=20) as client:
            async def run(base: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
                resp = await client.post(base + "/graphql", json=body, headers={"authorization": f"Bearer {token}"})
                return resp.json()

            await run(first.url, admin, {"query": REGISTER, "variables": {"app": "mini", "documents": [COUNT]}})
            used = await run(second.url, owner, {"documentId": sha(COUNT)})  # used, and so kept, there
            assert "errors" not in used and isinstance(used["data"]["unreadNotificationCount"], int)
            withdrawn = await run(first.url, admin, {
                "query": 'mutation W($ids: [String!]!) { trustedDocumentWithdraw(app: "mini", ids: $ids) '
                         "{ withdrawnCount } }", "variables": {"ids": [sha(COUNT)]}})
            assert withdrawn["data"]["trustedDocumentWithdraw"]["withdrawnCount"] == 1
            refused = await run(second.url, owner, {"documentId": sha(COUNT)})
            assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_production_refuses_to_start_without_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend import main

    base = load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(tmp_path), "LOG_FORMAT": "text",
                          "DATABASE_URL": f"sqlite://{tmp_path / 'unused.sqlite3'}"})
    monkeypatch.setattr(main, "TRUSTED_MANIFEST", tmp_path / "missing.json")
    with pytest.raises(RuntimeError, match="manifest"):
        main.create_app(dataclasses.replace(base, env="prod", trusted_documents="owners"))
    assert main.create_app(dataclasses.replace(base, env="prod", trusted_documents="off")) is not None
    assert main.create_app(dataclasses.replace(base, trusted_documents="owners")) is not None  # dev: logged only
