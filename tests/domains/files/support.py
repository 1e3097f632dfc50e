"""Tiny photos and videos built in memory, and uploads sent by the GraphQL multipart request spec."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from backend.domains.files.models import Upload
from tests.conftest import Api

CSRF = {"x-courtyard-csrf": "1"}
UPLOAD = """
mutation($file: Upload!, $purpose: UploadPurpose!) {
  fileUpload(file: $file, purpose: $purpose) {
    file { __typename id contentType size kind purpose attached url urlExpiresAt createdAt }
    errors { field code }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { __typename ... on StoredFile { id contentType kind url } } }"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png() -> bytes:
    """A 1x1 white PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def jpeg(size: int = 0) -> bytes:
    """Start of image, a JFIF APP0 segment, comment segments filling it up to `size` bytes, end of image."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    head, tail = b"\xff\xd8" + app0, b"\xff\xd9"
    left = max(0, size - len(head) - len(tail))
    segments = []
    while left:  # a comment segment is 4 bytes of marker and length plus at most 65533 bytes
        n = min(left - 4, 65533)
        if 0 < left - 4 - n < 4:
            n -= 4  # leave room for one more whole segment
        segments.append(b"\xff\xfe" + struct.pack(">H", n + 2) + b"\x00" * n)
        left -= n + 4
    return head + b"".join(segments) + tail


def webp() -> bytes:
    """A 1x1 lossless WebP."""
    vp8l = b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
    body = b"WEBP" + b"VP8L" + struct.pack("<I", 13) + vp8l[:13] + b"\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(size: int = 0) -> bytes:
    """An ISO base media file (ftyp isom, an empty moov) with an mdat box of `size` bytes."""
    return _ftyp(b"isom", b"isom", b"iso2", b"mp41") + _box(b"moov", b"") + _box(b"mdat", b"\x00" * size)


def mov() -> bytes:
    return _ftyp(b"qt  ", b"qt  ") + _box(b"moov", b"") + _box(b"mdat", b"\x00" * 16)


def heic() -> bytes:
    return _ftyp(b"heic", b"mif1", b"heic") + _box(b"meta", b"\x00" * 8)


def heif() -> bytes:
    return _ftyp(b"mif1", b"mif1") + _box(b"meta", b"\x00" * 8)


async def upload_raw(api: Api, data: bytes, token: str | None, *, purpose: str = "TICKET_PHOTO",
                     headers: dict[str, str] | None = None, name: str = "photo.jpg",
                     content_type: str = "image/jpeg") -> Any:
    """POST a multipart request: operations, map and the file part."""
    h = dict(CSRF if headers is None else headers)
    if token:
        h["authorization"] = f"Bearer {token}"
    operations = {"query": UPLOAD, "variables": {"file": None, "purpose": purpose}}
    return await api.client.post(
        "/graphql", headers=h,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, data, content_type)},
    )


async def upload(api: Api, data: bytes, token: str, **kwargs: Any) -> dict[str, Any]:
    """The fileUpload payload of an upload that reached the mutation."""
    resp = await upload_raw(api, data, token, **kwargs)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert not body.get("errors"), body
    return body["data"]["fileUpload"]


async def uploaded(api: Api, data: bytes, token: str, **kwargs: Any) -> dict[str, Any]:
    """The StoredFile of an upload that must succeed."""
    payload = await upload(api, data, token, **kwargs)
    assert payload["errors"] == [], payload
    return payload["file"]


async def record(file: dict[str, Any]) -> Upload:
    from backend.core.ids import decode_id

    return await Upload.get(id=decode_id(file["id"], "StoredFile"))
