"""Phone numbers, searchable hashes and AES-GCM encrypted fields."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.settings import get_settings

# Longer inputs are rejected before any regex work: bounded input, bounded cost.
_MAX_PHONE_INPUT = 32
# [0-9] rather than \d: \d also matches full-width and other Unicode digits.
_PHONE_RE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")

# The first byte of every token names the format, so the scheme can change without guessing. Version 1 sealed the
# value alone; version 2 also authenticates where the value belongs (table, column, row), so a token copied into
# another row or column fails to open. Version 1 is read only to reseal old rows (reseal_legacy).
_LEGACY_VERSION = b"\x01"
_TOKEN_VERSION = b"\x02"
_NONCE_SIZE = 12
_TAG_SIZE = 16


class InvalidPhone(ValueError):
    """The input is not a Chinese mainland mobile number."""


def normalize_phone(raw: str) -> str:
    """Return the 11-digit form of a mainland mobile, accepting +86/86/0086, spaces and dashes."""
    if not isinstance(raw, str) or len(raw) > _MAX_PHONE_INPUT:
        raise InvalidPhone("not a phone number")
    compact = raw.strip().replace(" ", "").replace("-", "")
    match = _PHONE_RE.fullmatch(compact)
    if match is None:
        raise InvalidPhone("not a mainland mobile number")
    return match.group(1)


def mask_phone(phone: str) -> str:
    """Show a phone the way staff screens do: 138****1234."""
    digits = normalize_phone(phone)
    return f"{digits[:3]}****{digits[-4:]}"


def phone_hash(phone: str) -> str:
    """The searchable hash of a phone: equal for every spelling of the same number."""
    digits = normalize_phone(phone)
    # Keyed, because an unkeyed hash of a 11-digit number is reversed by brute force in minutes.
    return hmac.new(get_settings().hash_key, digits.encode(), hashlib.sha256).hexdigest()


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a value, separated by purpose so hashes of one kind never match another."""
    # The NUL separator cannot occur in a purpose name, so (purpose, value) pairs cannot collide.
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(get_settings().hash_key, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Plain SHA-256 of a high-entropy token (refresh tokens): a key adds nothing there."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aad(version: bytes, bound_to: str) -> bytes:
    return version if version == _LEGACY_VERSION else version + b"\x00" + bound_to.encode()


def encrypt_str(plain: str, *, bound_to: str) -> str:
    """Encrypt a field value for one place (e.g. "user_account.phone_enc:<row key>"): urlsafe base64 of version byte
    + random nonce + ciphertext and tag; the version byte and `bound_to` are authenticated too."""
    if not bound_to:
        raise ValueError("an encrypted value must be bound to its table, column and row")
    nonce = os.urandom(_NONCE_SIZE)
    sealed = AESGCM(get_settings().field_key).encrypt(nonce, plain.encode(), _aad(_TOKEN_VERSION, bound_to))
    return base64.urlsafe_b64encode(_TOKEN_VERSION + nonce + sealed).decode("ascii")


def _open(token: str, bound_to: str, versions: tuple[bytes, ...]) -> str:
    if not isinstance(token, str):
        raise ValueError("encrypted value must be a string")
    try:
        # validate=True: the lenient default silently skips foreign characters.
        raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("encrypted value is not base64") from exc
    if len(raw) < 1 + _NONCE_SIZE + _TAG_SIZE or raw[:1] not in versions:
        raise ValueError("encrypted value has an unknown format")
    nonce, sealed = raw[1 : 1 + _NONCE_SIZE], raw[1 + _NONCE_SIZE :]
    try:
        plain = AESGCM(get_settings().field_key).decrypt(nonce, sealed, _aad(raw[:1], bound_to))
    except InvalidTag as exc:
        raise ValueError("encrypted value failed authentication (altered, another key, or another row)") from exc
    return plain.decode()


def decrypt_str(token: str, *, bound_to: str) -> str:
    """Decrypt a value from encrypt_str made for the same place; ValueError when it was altered, made with another
    key, or belongs to another row or column."""
    return _open(token, bound_to, (_TOKEN_VERSION,))


def is_legacy(token: str) -> bool:
    """Whether a stored token is of the unbound version 1 (to be resealed)."""
    try:
        return base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)[:1] == _LEGACY_VERSION
    except (binascii.Error, UnicodeEncodeError, AttributeError):
        return False


def decrypt_legacy(token: str) -> str:
    """Open an unbound version-1 token (only to reseal it bound)."""
    return _open(token, "", (_LEGACY_VERSION,))


def _phone_place(phone_hash_value: str) -> str:
    return "user_account.phone_enc:" + phone_hash_value


def seal_phone(phone: str) -> tuple[str, str]:
    """(encrypted phone, lookup hash) for a user row: the ciphertext is bound to that row's hash, so swapping two
    rows' encrypted phones makes both fail to open instead of showing one person's number as another's."""
    h = phone_hash(phone)
    return encrypt_str(normalize_phone(phone), bound_to=_phone_place(h)), h


def open_phone(phone_enc: str, phone_hash_value: str) -> str:
    """The phone of a user row, from its encrypted column and its lookup hash (ValueError if they do not belong
    together)."""
    return decrypt_str(phone_enc, bound_to=_phone_place(phone_hash_value))
