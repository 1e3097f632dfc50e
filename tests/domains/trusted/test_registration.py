"""Platform administrators register third-party apps' trusted documents and withdraw them; nobody else may."""

from __future__ import annotations

import hashlib
from typing import Any

from backend.domains.audit.models import AuditLog
from tests.factories import make_platform_admin, make_world, token_for

REGISTER = """mutation R($app: String!, $documents: [String!]!) {
  trustedDocumentsRegister(app: $app, documents: $documents) {
    documents { app documentId body } errors { field code message } } }"""
WITHDRAW = """mutation W($app: String!, $ids: [String!]!) {
  trustedDocumentWithdraw(app: $app, ids: $ids) { withdrawnCount errors { field code } } }"""
LIST = """query L($app: String!) { trustedDocuments(app: $app, first: 100) { totalCount nodes { documentId } } }"""
COUNT = "query Count { unreadNotificationCount }"
TYPENAME = "query T { __typename }"


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


async def by_id(api: Any, doc_id: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    resp = await api.client.post("/graphql", json={"documentId": doc_id}, headers=headers)
    return resp.status_code, resp.json()


async def test_a_platform_admin_registers_documents_once_and_the_app_runs_them_by_id(api):
    admin = await token_for(await make_platform_admin())
    world = await make_world("reg")
    owner = await token_for(world.owner)

    first = (await api.gql(REGISTER, {"app": "mini", "documents": [COUNT, TYPENAME, COUNT]}, admin))
    payload = first["trustedDocumentsRegister"]
    assert payload["errors"] == []
    assert [d["documentId"] for d in payload["documents"]] == [sha(COUNT), sha(TYPENAME)]
    again = await api.gql(REGISTER, {"app": "mini", "documents": [TYPENAME]}, admin)
    assert again["trustedDocumentsRegister"]["documents"][0]["documentId"] == sha(TYPENAME)
    listed = (await api.gql(LIST, {"app": "mini"}, admin))["trustedDocuments"]
    assert listed["totalCount"] == 2  # registering the same body again is no change
    assert (await api.gql(LIST, {"app": "other"}, admin))["trustedDocuments"]["totalCount"] == 0
    await api.gql(REGISTER, {"app": "other", "documents": [COUNT]}, admin)
    every = (await api.gql("query All { trustedDocuments { nodes { app documentId } } }", None, admin))
    assert [(d["app"], d["documentId"]) for d in every["trustedDocuments"]["nodes"]] == [
        ("mini", sha(COUNT)), ("mini", sha(TYPENAME)), ("other", sha(COUNT))]

    status, body = await by_id(api, sha(COUNT), owner)
    assert status == 200 and body == {"data": {"unreadNotificationCount": 0}}
    assert await AuditLog.filter(action="trustedDocument.register", company_id=None).count() == 3


async def test_only_platform_admins_register_list_or_withdraw(api):
    world = await make_world("forbidden")
    for token, code in ((await token_for(world.admin), "FORBIDDEN"), (await token_for(world.owner), "FORBIDDEN"),
                        (None, "UNAUTHENTICATED")):
        registered = (await api.gql(REGISTER, {"app": "mini", "documents": [COUNT]}, token))
        assert registered["trustedDocumentsRegister"]["errors"][0]["code"] == code
        withdrawn = await api.gql(WITHDRAW, {"app": "mini", "ids": [sha(COUNT)]}, token)
        assert withdrawn["trustedDocumentWithdraw"]["errors"][0]["code"] == code
        listed = await api.raw(LIST, {"app": "mini"}, token)
        assert listed["errors"][0]["extensions"]["code"] == code and listed["data"] is None
    status, body = await by_id(api, sha(COUNT))
    assert (status, body["errors"][0]["extensions"]["code"]) == (400, "PERSISTED_QUERY_NOT_FOUND")


async def test_documents_that_do_not_validate_are_refused_by_position(api):
    admin = await token_for(await make_platform_admin())
    too_deep = "query D { " + "node(id: \"x\") { ... on User { bindings { unit { building { community { " * 3 + "id" + \
        " } } } } } }" * 3 + " }"
    # a syntax error, an unknown field, an unused variable, over the depth limit, a NUL in a literal
    for bad in ("query { nope", "query Q { noSuchField }", "query Q($a: Int) { unreadNotificationCount }",
                too_deep, 'query S { homeCommunities(search: "\\u0000") { id } }'):
        result = await api.gql(REGISTER, {"app": "mini", "documents": [COUNT, bad]}, admin)
        payload = result["trustedDocumentsRegister"]
        assert payload["documents"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("documents.1", "INVALID_DOCUMENT")], bad
    assert (await api.gql(LIST, {"app": "mini"}, admin))["trustedDocuments"]["totalCount"] == 0


async def test_bounds_on_names_and_counts(api):
    admin = await token_for(await make_platform_admin())
    many = [f"query Q{i} {{ __typename }}" for i in range(101)]
    result = (await api.gql(REGISTER, {"app": "mini", "documents": many}, admin))["trustedDocumentsRegister"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("documents", "TOO_LONG")]
    for app in ("", "Mini App", "../x", "a" * 65):
        result = (await api.gql(REGISTER, {"app": app, "documents": [COUNT]}, admin))["trustedDocumentsRegister"]
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("app", "INVALID")], app
    result = (await api.gql(WITHDRAW, {"app": "mini", "ids": ["abc"]}, admin))["trustedDocumentWithdraw"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("ids.0", "INVALID_ID")]


async def test_a_withdrawn_document_stops_at_once_and_only_for_its_app(api):
    admin = await token_for(await make_platform_admin())
    world = await make_world("withdraw")
    owner = await token_for(world.owner)
    await api.gql(REGISTER, {"app": "mini", "documents": [COUNT]}, admin)
    await api.gql(REGISTER, {"app": "other", "documents": [TYPENAME]}, admin)
    assert (await by_id(api, sha(COUNT), owner))[0] == 200

    result = (await api.gql(WITHDRAW, {"app": "mini", "ids": [sha(COUNT), sha(TYPENAME)]}, admin))
    assert result["trustedDocumentWithdraw"] == {"withdrawnCount": 1, "errors": []}  # TYPENAME is other's
    status, body = await by_id(api, sha(COUNT), owner)
    assert (status, body["errors"][0]["extensions"]["code"]) == (400, "PERSISTED_QUERY_NOT_FOUND")
    assert (await by_id(api, sha(TYPENAME), owner)) == (200, {"data": {"__typename": "Query"}})
    assert (await api.gql(LIST, {"app": "mini"}, admin))["trustedDocuments"]["totalCount"] == 0

    await api.gql(REGISTER, {"app": "mini", "documents": [COUNT]}, admin)  # registered again: it stands again
    assert (await by_id(api, sha(COUNT), owner))[0] == 200
    assert await AuditLog.filter(action="trustedDocument.withdraw").count() == 1
