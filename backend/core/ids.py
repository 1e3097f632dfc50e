"""Relay global IDs: opaque, keyed with a server secret, decoded strictly with a typed error.

An ID is urlsafe base64 (no padding) of a 9-byte HMAC tag followed by "Type:pk". The type and key are readable, but
an ID cannot be made without the key: the neighbours of a known ID (pk ± 1, another type with the same pk) cannot be
guessed, so enumeration fails even where an access check were missing. The tag covers the canonical spelling only,
so "Unit:007" or any other spelling of a valid ID is refused too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from backend.core.errors import Codes, DomainError
from backend.settings import get_settings

MAX_ID_LENGTH = 100
_TAG = 9  # bytes: 72 bits, far beyond what guessing online could reach
_keys: dict[bytes, bytes] = {}


def _key() -> bytes:
    base = get_settings().hash_key
    key = _keys.get(base)
    if key is None:  # derived, so the ID key is separate from the phone-lookup key it comes from
        key = _keys[base] = hmac.new(base, b"courtyard global id v1", hashlib.sha256).digest()
    return key


def _tag(body: bytes) -> bytes:
    return hmac.new(_key(), body, hashlib.sha256).digest()[:_TAG]


def encode_id(type_name: str, pk: int | str) -> str:
    body = f"{type_name}:{int(pk)}".encode()
    return base64.urlsafe_b64encode(_tag(body) + body).rstrip(b"=").decode()


def _invalid(field: str) -> DomainError:
    return DomainError(Codes.INVALID_ID, "Malformed ID", field)


def decode_any(gid: object, field: str = "id") -> tuple[str, int]:
    """Decode a global ID of any type; INVALID_ID when it is not one this server made."""
    if not isinstance(gid, str) or not gid or len(gid) > MAX_ID_LENGTH or not gid.isascii():
        raise _invalid(field)
    try:
        raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4))
    except (binascii.Error, ValueError):
        raise _invalid(field) from None
    tag, body = raw[:_TAG], raw[_TAG:]
    if len(tag) != _TAG or not hmac.compare_digest(tag, _tag(body)):
        raise _invalid(field)
    type_name, sep, pk = body.decode("ascii", "replace").partition(":")
    # The tag proves the server wrote it; the checks below only guard against a key shared with older formats.
    if not sep or not type_name or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        raise _invalid(field)
    if encode_id(type_name, int(pk)) != gid:  # one spelling per ID (no stray padding or trailing bits)
        raise _invalid(field)
    return type_name, int(pk)


def decode_id(gid: object, expected: str, field: str = "id") -> int:
    """Decode a global ID that must name `expected`; another type is INVALID_ID too."""
    type_name, pk = decode_any(gid, field)
    if type_name != expected:
        raise DomainError(Codes.INVALID_ID, f"Expected a {expected} ID", field)
    return pk


def decode_ids(gids: list[str], expected: str, field: str, limit: int = 100) -> list[int]:
    if len(gids) > limit:
        raise DomainError(Codes.TOO_LONG, f"At most {limit} IDs", field)
    return [decode_id(g, expected, field) for g in gids]
