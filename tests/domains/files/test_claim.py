"""claim_files: other domains attach the caller's own unattached uploads, within limits per kind.

claim_files has no GraphQL operation of its own (ticketCreate and the like call it), so it is called directly.
"""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError
from backend.core.ids import decode_id
from backend.domains.files.models import Upload, UploadPurpose
from backend.domains.files.service import claim_files, files_for_targets
from tests.domains.files.support import jpeg, mp4, png, uploaded
from tests.factories import make_staff, make_world, token_for


async def _ids(api, token: str, n: int, data: bytes | None = None, purpose: str = "TICKET_PHOTO") -> list[int]:
    return [decode_id((await uploaded(api, data or png(), token, purpose=purpose))["id"], "StoredFile")
            for _ in range(n)]


async def _refused(code: str, **kwargs) -> None:
    before = await Upload.all().order_by("id").values("id", "attached_to", "company_id")
    with pytest.raises(DomainError) as exc:
        await claim_files(**kwargs)
    assert exc.value.code == code
    assert await Upload.all().order_by("id").values("id", "attached_to", "company_id") == before


async def test_nine_photos_and_one_video_are_attached_in_order(api):
    w = await make_world("A")
    token = await token_for(w.owner)
    photos = await _ids(api, token, 9, jpeg())
    [video] = await _ids(api, token, 1, mp4(), "TICKET_VIDEO")
    ids = [video, *reversed(photos)]
    claimed = await claim_files(ids=ids, user_id=w.owner.id, company_id=w.company.id, target="Ticket:7")
    assert [u.id for u in claimed] == ids
    rows = await Upload.filter(id__in=ids)
    assert {(u.attached_to, u.company_id) for u in rows} == {("Ticket:7", w.company.id)}
    assert all(u.attached_at is not None for u in rows)
    assert [u.id for u in (await files_for_targets(["Ticket:7", "Ticket:8"]))["Ticket:7"]] == sorted(ids)
    # Nothing to claim is fine
    assert await claim_files(ids=[], user_id=w.owner.id, company_id=w.company.id, target="Ticket:9") == []


async def test_too_many_photos_or_videos_are_refused_and_nothing_is_attached(api):
    w = await make_world("A")
    token = await token_for(w.owner)
    photos = await _ids(api, token, 10)
    videos = await _ids(api, token, 2, mp4(), "TICKET_VIDEO")
    base = {"user_id": w.owner.id, "company_id": w.company.id, "target": "Ticket:1"}
    await _refused("TOO_MANY_FILES", ids=photos, **base)  # ten photos
    await _refused("TOO_MANY_FILES", ids=[photos[0], *videos], **base)  # two videos
    await _refused("TOO_MANY_FILES", ids=photos[:3], max_images=2, max_videos=0, **base)
    await _refused("TOO_MANY_FILES", ids=[*photos, *videos, *photos], **base)
    # The same ID twice counts once
    claimed = await claim_files(ids=[photos[0], photos[0], videos[0]], **base)
    assert [u.id for u in claimed] == [photos[0], videos[0]]


async def test_only_the_callers_unattached_uploads_of_that_company_can_be_claimed(api):
    a, b = await make_world("A"), await make_world("B")
    mine = await _ids(api, await token_for(a.owner), 2)
    theirs = await _ids(api, await token_for(b.owner), 1)
    tech = await make_staff(b.company, "technician", community=b.community)
    work = await _ids(api, await token_for(tech), 1, purpose="TICKET_WORK_PHOTO")
    base = {"user_id": a.owner.id, "company_id": a.company.id, "target": "Ticket:1"}
    # Another owner's upload
    await _refused("NOT_FOUND", ids=[mine[0], *theirs], **base)
    # An ID that does not exist
    await _refused("NOT_FOUND", ids=[mine[0], 10**12], **base)
    # A staff upload of company B claimed for company A, even by its own uploader
    await _refused("NOT_FOUND", ids=work, user_id=tech.id, company_id=a.company.id, target="Ticket:1")
    # A purpose the caller does not accept
    await _refused("NOT_FOUND", ids=mine, purposes={UploadPurpose.TICKET_VIDEO}, **base)
    # Once attached, an upload cannot be claimed again, for this target or another
    await claim_files(ids=[mine[0]], **base)
    await _refused("NOT_FOUND", ids=[mine[0]], **base)
    await _refused("NOT_FOUND", ids=[mine[0], mine[1]], **{**base, "target": "Ticket:2"})
    # Its own company's staff upload is claimable by its uploader
    claimed = await claim_files(ids=work, user_id=tech.id, company_id=b.company.id, target="Ticket:3",
                                purposes={UploadPurpose.TICKET_WORK_PHOTO})
    assert [u.attached_to for u in claimed] == ["Ticket:3"]
