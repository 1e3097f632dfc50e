"""Relay global IDs: base64("Type:pk"), decoded strictly with a typed error."""

from __future__ import annotations

import base64
import binascii

from backend.core.errors import Codes, DomainError

MAX_ID_LENGTH = 100


def encode_id(type_name: str, pk: int | str) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def decode_any(gid: object, field: str = "id") -> tuple[str, int]:
    """Decode a global ID of any type; INVALID_ID when it is not one of ours."""
    if not isinstance(gid, str) or not gid or len(gid) > MAX_ID_LENGTH:
        raise DomainError(Codes.INVALID_ID, "Malformed ID", field)
    try:
        raw = base64.b64decode(gid.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError(Codes.INVALID_ID, "Malformed ID", field) from None
    type_name, sep, pk = raw.partition(":")
    # ASCII digits only: str.isdigit() also takes "١" or "３", which int() reads as another spelling of a pk.
    if not sep or not type_name or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        raise DomainError(Codes.INVALID_ID, "Malformed ID", field)
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
