"""Who sees a StoredFile through node(id:): its uploader, and staff of the company it belongs to."""

from __future__ import annotations

from backend.core.ids import decode_id
from backend.domains.files.service import claim_files
from tests.domains.files.support import NODE, jpeg, uploaded
from tests.factories import make_staff, make_world, token_for


async def _sees(api, file_id: str, token: str | None) -> bool:
    body = await api.raw(NODE, {"id": file_id}, token=token)
    node = (body.get("data") or {}).get("node")
    assert node is None or (node["__typename"] == "StoredFile" and node["id"] == file_id), body
    return node is not None


async def test_an_owners_upload_is_seen_by_the_owner_then_by_the_company_it_is_attached_to(api):
    a, b = await make_world("A"), await make_world("B")
    tokens = {
        "owner A": await token_for(a.owner), "owner B": await token_for(b.owner),
        "admin A": await token_for(a.admin), "admin B": await token_for(b.admin),
        "technician A": await token_for(await make_staff(a.company, "technician", community=a.community)),
        "anonymous": None,
    }
    file = await uploaded(api, jpeg(), tokens["owner A"])
    # Given an unattached upload, only its owner sees it
    seen = {who for who, t in tokens.items() if await _sees(api, file["id"], t)}
    assert seen == {"owner A"}
    # When company A's ticket claims it, company A's staff see it too; nobody of company B does
    await claim_files(ids=[decode_id(file["id"], "StoredFile")], user_id=a.owner.id, company_id=a.company.id,
                      target="Ticket:1")
    seen = {who for who, t in tokens.items() if await _sees(api, file["id"], t)}
    assert seen == {"owner A", "admin A", "technician A"}
    body = await api.raw("query($id: ID!) { node(id: $id) { ... on StoredFile { attached } } }", {"id": file["id"]},
                         token=tokens["owner A"])
    assert body["data"]["node"]["attached"] is True


async def test_a_staff_upload_is_seen_by_its_company_only(api):
    a, b = await make_world("A"), await make_world("B")
    tech = await make_staff(a.company, "technician", community=a.community)
    file = await uploaded(api, jpeg(), await token_for(tech), purpose="TICKET_WORK_PHOTO")
    assert await _sees(api, file["id"], await token_for(tech))
    assert await _sees(api, file["id"], await token_for(a.admin))
    for outsider in (b.admin, b.owner, a.owner):
        assert not await _sees(api, file["id"], await token_for(outsider))
    assert not await _sees(api, file["id"], None)


async def test_nodes_returns_only_the_visible_files(api):
    a, b = await make_world("A"), await make_world("B")
    mine = await uploaded(api, jpeg(), await token_for(a.owner))
    theirs = await uploaded(api, jpeg(), await token_for(b.owner))
    data = await api.gql("query($ids: [ID!]!) { nodes(ids: $ids) { ... on StoredFile { id } } }",
                         {"ids": [mine["id"], theirs["id"]]}, token=await token_for(a.owner))
    assert data["nodes"] == [{"id": mine["id"]}, None]
