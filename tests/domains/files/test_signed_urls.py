"""GET /api/files/{key}: signed, expiring URLs serve the stored bytes with safe headers; anything else is refused."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from backend.core.runtime import get_storage
from backend.core.storage import signed_url
from tests.domains.files.support import jpeg, mp4, png, record, uploaded
from tests.factories import make_world, token_for


async def _file(api, data=None, purpose="TICKET_PHOTO"):
    w = await make_world("A")
    return await uploaded(api, data or png(), await token_for(w.owner), purpose=purpose)


def _parts(url: str) -> tuple[str, str, str]:
    split = urlsplit(url)
    q = parse_qs(split.query)
    return split.path, q["exp"][0], q["sig"][0]


async def test_the_signed_url_serves_the_file_with_safe_headers(api):
    data = png()
    file = await _file(api, data)
    # The URL works without a token: it is the grant
    resp = await api.client.get(file["url"])
    assert resp.status_code == 200 and resp.content == data
    assert resp.headers["content-type"] == "image/png"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-disposition"] == "inline"
    directive, max_age = resp.headers["cache-control"].split(", ")
    assert directive == "private" and 14 * 60 < int(max_age.removeprefix("max-age=")) <= 16 * 60
    assert "sandbox" in resp.headers["content-security-policy"]


async def test_the_content_type_comes_from_the_record_not_the_name(api):
    # A JPEG uploaded as "x.html" with a text/html part is served as image/jpeg
    w = await make_world("A")
    file = await uploaded(api, jpeg(), await token_for(w.owner), name="x.html", content_type="text/html")
    resp = await api.client.get(file["url"])
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/jpeg"


async def test_videos_are_served_in_byte_ranges(api):
    data = mp4(1000)
    file = await _file(api, data, "TICKET_VIDEO")
    resp = await api.client.get(file["url"], headers={"range": "bytes=0-99"})
    assert resp.status_code == 206 and resp.content == data[:100]
    assert resp.headers["content-type"] == "video/mp4"


async def test_a_tampered_signature_or_key_is_forbidden(api):
    file = await _file(api)
    other = await _file(api, jpeg())
    path, exp, sig = _parts(file["url"])
    other_path, _, _ = _parts(other["url"])
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    for url in (f"{path}?exp={exp}&sig={flipped}",  # another signature
                f"{path}?exp={int(exp) + 60}&sig={sig}",  # a later expiry
                f"{other_path}?exp={exp}&sig={sig}",  # another file's key
                f"{path}?exp={exp}",  # no signature
                f"{path}?exp=1e99&sig={sig}",
                path):
        resp = await api.client.get(url)
        assert resp.status_code == 403, url
        assert resp.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # The genuine URLs still work
    assert (await api.client.get(file["url"])).status_code == 200
    assert (await api.client.get(other["url"])).status_code == 200


async def test_an_expired_url_is_forbidden(api):
    file = await _file(api)
    row = await record(file)
    # Signed 20 minutes ago for the usual 15 minutes
    url, exp = signed_url(row.key, now=time.time() - 20 * 60)
    assert exp < time.time()
    resp = await api.client.get(url)
    assert resp.status_code == 403 and resp.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # The same key freshly signed works
    assert (await api.client.get(signed_url(row.key)[0])).status_code == 200


async def test_a_missing_file_or_a_bad_key_is_not_found(api):
    file = await _file(api)
    row = await record(file)
    await get_storage().delete(row.key)
    resp = await api.client.get(file["url"])
    assert resp.status_code == 404 and resp.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # A key no server would generate, even when signed, reaches no file
    for key in ("personal/2024/01/..%2F..%2Fsecrets.json", "personal/2024/01/x.jpg%00.png", "secrets.json/"):
        resp = await api.client.get(f"/api/files/{key}?exp={int(time.time()) + 600}&sig=x")
        assert resp.status_code in (403, 404), key
        assert resp.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")
