"""A person changes their own name and photo; a photo is theirs only, of the AVATAR purpose, and replaces the last."""

from __future__ import annotations

from backend.domains.files.models import Upload
from tests.domains.files.support import jpeg, mp4, upload, uploaded
from tests.factories import make_user, make_world, token_for

UPDATE = """mutation($input: ViewerUpdateInput!) { viewerUpdate(input: $input) {
  user { name avatarUrl } errors { field code } } }"""
ME = "{ viewer { user { name avatarUrl } } }"


async def test_a_person_sets_their_name_and_photo(api):
    me = await token_for(await make_user(""))
    named = (await api.gql(UPDATE, {"input": {"name": "  王小二  "}}, token=me))["viewerUpdate"]
    assert named == {"user": {"name": "王小二", "avatarUrl": None}, "errors": []}
    first = await uploaded(api, jpeg(), me, purpose="AVATAR")
    with_photo = (await api.gql(UPDATE, {"input": {"avatarFileId": first["id"]}}, token=me))["viewerUpdate"]
    assert with_photo["errors"] == [] and with_photo["user"]["name"] == "王小二"
    url = with_photo["user"]["avatarUrl"]
    assert url and (await api.client.get(url)).status_code == 200
    # a second photo replaces the first, whose file is deleted
    second = await uploaded(api, jpeg(), me, purpose="AVATAR")
    assert (await api.gql(UPDATE, {"input": {"avatarFileId": second["id"]}}, token=me))["viewerUpdate"]["errors"] == []
    assert await Upload.filter(attached_to__startswith="Avatar:").count() == 1
    assert (await api.client.get(url)).status_code == 404
    assert (await api.gql(ME, token=me))["viewer"]["user"]["avatarUrl"] not in (None, url)


async def test_refused_names_and_photos_change_nothing(api):
    w = await make_world("Profile")
    me = await token_for(w.owner)
    other = await token_for(await make_user("Other"))
    theirs = await uploaded(api, jpeg(), other, purpose="AVATAR")
    ticket_photo = await uploaded(api, jpeg(), me, purpose="TICKET_PHOTO")
    for data, field, code in (
        ({"name": "   "}, "name", "REQUIRED"),
        ({"name": "x" * 51}, "name", "TOO_LONG"),
        ({"avatarFileId": theirs["id"]}, "avatarFileId", "NOT_FOUND"),  # someone else's upload
        ({"avatarFileId": ticket_photo["id"]}, "avatarFileId", "NOT_FOUND"),  # another purpose
        ({"name": "New", "avatarFileId": "nonsense"}, "avatarFileId", "INVALID_ID"),
    ):
        refused = (await api.gql(UPDATE, {"input": data}, token=me))["viewerUpdate"]
        assert refused == {"user": None, "errors": [{"field": field, "code": code}]}, data
    assert (await api.gql(ME, token=me))["viewer"]["user"] == {"name": "Owner Profile", "avatarUrl": None}
    # a video is no photo
    video = await upload(api, mp4(), me, purpose="AVATAR", name="a.mp4", content_type="video/mp4")
    assert video["file"] is None and [e["code"] for e in video["errors"]] == ["UNSUPPORTED_TYPE"]
