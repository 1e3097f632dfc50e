"""fileUpload: types sniffed from the content, size limits, and who may upload at all."""

from __future__ import annotations

import pytest

from backend.core.ids import decode_any
from backend.core.runtime import get_storage
from tests.domains.files.support import (
    heic,
    heif,
    jpeg,
    mov,
    mp4,
    png,
    record,
    upload,
    upload_raw,
    uploaded,
    webp,
)
from tests.factories import make_staff, make_world, token_for

MB = 1024 * 1024


async def _owner() -> str:
    w = await make_world("A")
    return await token_for(w.owner)


@pytest.mark.parametrize(("data", "purpose", "content_type", "kind"), [
    (jpeg(), "TICKET_PHOTO", "image/jpeg", "IMAGE"),
    (png(), "TICKET_PHOTO", "image/png", "IMAGE"),
    (webp(), "TICKET_PHOTO", "image/webp", "IMAGE"),
    (heic(), "TICKET_PHOTO", "image/heic", "IMAGE"),
    (heif(), "TICKET_PHOTO", "image/heif", "IMAGE"),
    (mp4(), "TICKET_VIDEO", "video/mp4", "VIDEO"),
    (mov(), "TICKET_VIDEO", "video/quicktime", "VIDEO"),
], ids=["jpeg", "png", "webp", "heic", "heif", "mp4", "mov"])
async def test_photos_and_videos_are_stored_with_the_type_read_from_their_bytes(api, data, purpose, content_type,
                                                                                kind):
    token = await _owner()
    # Given a file whose name and declared type say something else
    file = await uploaded(api, data, token, purpose=purpose, name="whatever.txt", content_type="text/plain")
    # Then its type comes from its content
    assert file["__typename"] == "StoredFile" and decode_any(file["id"])[0] == "StoredFile"
    assert (file["contentType"], file["kind"], file["size"], file["purpose"]) == (
        content_type, kind, len(data), purpose)
    assert file["attached"] is False and file["url"].startswith("/api/files/personal/")
    row = await record(file)
    assert row.company_id is None  # an owner's upload belongs to no company until it is attached
    assert await get_storage().read(row.key) == data
    assert row.key.endswith("." + {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
                                   "image/heic": "heic", "image/heif": "heif", "video/mp4": "mp4",
                                   "video/quicktime": "mov"}[content_type])


@pytest.mark.parametrize(("data", "purpose", "code"), [
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "TICKET_PHOTO", "UNSUPPORTED_TYPE"),  # a PDF named photo.jpg
    (b"<html><script>alert(1)</script></html>", "TICKET_PHOTO", "UNSUPPORTED_TYPE"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "TICKET_PHOTO", "UNSUPPORTED_TYPE"),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1", "TICKET_PHOTO", "UNSUPPORTED_TYPE"),  # AVIF: not listed
    (b"\x00\x00\x00\x10ftyp", "TICKET_VIDEO", "UNSUPPORTED_TYPE"),  # a truncated ftyp box
    (mp4(), "TICKET_PHOTO", "UNSUPPORTED_TYPE"),  # a video where a photo belongs
    (jpeg(), "TICKET_VIDEO", "UNSUPPORTED_TYPE"),  # and the other way round
    (b"", "TICKET_PHOTO", "EMPTY_FILE"),
], ids=["pdf", "html", "gif", "avif", "short-ftyp", "video-as-photo", "photo-as-video", "empty"])
async def test_files_that_are_no_photo_or_video_of_the_purpose_are_refused(api, data, purpose, code):
    token = await _owner()
    payload = await upload(api, data, token, purpose=purpose, name="photo.jpg", content_type="image/jpeg")
    assert payload["file"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", code)]
    assert await _stored_blobs() == []


async def _stored_blobs() -> list[str]:
    from backend.domains.files.models import Upload

    return list(await Upload.all().values_list("key", flat=True))


async def test_a_photo_over_10_mb_is_refused_and_one_of_exactly_10_mb_is_not(api):
    token = await _owner()
    limit = jpeg(10 * MB)
    assert len(limit) == 10 * MB and len(jpeg(10 * MB + 1)) == 10 * MB + 1
    assert (await uploaded(api, limit, token))["size"] == 10 * MB
    payload = await upload(api, jpeg(10 * MB + 1), token)
    assert payload["file"] is None and [e["code"] for e in payload["errors"]] == ["FILE_TOO_LARGE"]


async def test_a_video_over_50_mb_is_refused_while_reading_even_within_the_request_allowance(api):
    token = await _owner()
    # 50 MB + 1 byte fits the request's Content-Length allowance: the reader stops at the limit
    payload = await upload(api, mp4(50 * MB - len(mp4()) + 1), token, purpose="TICKET_VIDEO")
    assert payload["file"] is None and [e["code"] for e in payload["errors"]] == ["FILE_TOO_LARGE"]
    # Far beyond it, the request is refused before its body is read
    resp = await upload_raw(api, mp4(51 * MB), token, purpose="TICKET_VIDEO")
    assert resp.status_code == 413 and resp.json()["errors"][0]["extensions"]["code"] == "FILE_TOO_LARGE"
    assert await _stored_blobs() == []


async def test_a_short_video_is_accepted(api):
    token = await _owner()
    file = await uploaded(api, mp4(3 * MB), token, purpose="TICKET_VIDEO")
    assert file["kind"] == "VIDEO" and file["size"] == len(mp4(3 * MB))


async def test_uploads_need_the_csrf_header_and_a_signed_in_caller(api):
    token = await _owner()
    # Without the non-simple header (a cross-site form could send it)
    resp = await upload_raw(api, jpeg(), token, headers={})
    assert resp.status_code == 400 and resp.json()["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"
    # Anonymous
    resp = await upload_raw(api, jpeg(), None)
    assert resp.status_code == 401 and resp.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # A bad token
    resp = await upload_raw(api, jpeg(), "not-a-token")
    assert resp.status_code == 401 and resp.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
    assert await _stored_blobs() == []
    # apollo-require-preflight works as the header too
    resp = await upload_raw(api, jpeg(), token, headers={"apollo-require-preflight": "true"})
    assert resp.status_code == 200 and resp.json()["data"]["fileUpload"]["errors"] == []


async def test_a_json_request_without_a_file_part_is_refused(api):
    token = await _owner()
    data = await api.gql("mutation($f: Upload!) { fileUpload(file: $f, purpose: TICKET_PHOTO) "
                         "{ file { id } errors { field code } } }", {"f": "photo.jpg"}, token=token)
    assert data["fileUpload"] == {"file": None, "errors": [{"field": "file", "code": "REQUIRED"}]}
    assert await _stored_blobs() == []


async def test_only_staff_upload_work_photos(api):
    w = await make_world("A")
    owner = await token_for(w.owner)
    payload = await upload(api, jpeg(), owner, purpose="TICKET_WORK_PHOTO")
    assert payload["file"] is None and [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    technician = await make_staff(w.company, "technician", community=w.community)
    file = await uploaded(api, jpeg(), await token_for(technician), purpose="TICKET_WORK_PHOTO")
    row = await record(file)
    # A staff upload belongs to the caller's company from the start
    assert row.company_id == w.company.id and row.key.startswith(f"{w.company.id}/")
    assert file["url"].startswith(f"/api/files/{w.company.id}/")


async def test_uploads_are_rate_limited_per_user(api):
    token = await _owner()
    for _ in range(60):
        await uploaded(api, png(), token)
    payload = await upload(api, png(), token)
    assert payload["file"] is None and [e["code"] for e in payload["errors"]] == ["RATE_LIMITED"]
