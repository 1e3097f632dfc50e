"""Phone normalisation, searchable hashes and encrypted fields."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.core.crypto import (
    InvalidPhone,
    decrypt_legacy,
    decrypt_str,
    encrypt_str,
    is_legacy,
    keyed_hash,
    mask_phone,
    normalize_phone,
    open_phone,
    phone_hash,
    seal_phone,
    token_hash,
)
from backend.settings import load_settings, override_settings

PLACE = "user_account.phone_enc:row-1"


def _use_settings(data_dir: Path) -> None:
    override_settings(load_settings({"COURTYARD_ENV": "test", "COURTYARD_DATA_DIR": str(data_dir)}))


@pytest.fixture(autouse=True)
def settings(tmp_path: Path) -> Iterator[None]:
    _use_settings(tmp_path)
    yield
    override_settings(None)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
        "+86 138 1234 5678",
        "138-1234-5678",
        " +86-138-1234-5678 ",
    ],
)
def test_normalize_accepts_mainland_mobiles(raw: str) -> None:
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12812345678",  # no mainland mobile starts with 12
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "010-12345678",  # landline
        "+85213812345678",  # another country code
        "+1 13812345678",
        "1381234567a",
        "１３８１２３４５６７８",  # full-width digits
        "+86+8613812345678",
        "138 1234 5678" + " " * 30,  # over 32 characters
    ],
)
def test_normalize_rejects_everything_else(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


@pytest.mark.parametrize("raw", [None, 13812345678, b"13812345678"])
def test_normalize_rejects_non_strings(raw: object) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)  # type: ignore[arg-type]


def test_invalid_phone_is_a_value_error() -> None:
    assert issubclass(InvalidPhone, ValueError)


def test_mask_phone() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 139-0000-5678") == "139****5678"


def test_phone_hash_is_the_same_for_every_spelling() -> None:
    assert phone_hash("+86 138 1234 5678") == phone_hash("13812345678")
    assert phone_hash("13812345678") != phone_hash("13812345679")
    assert len(phone_hash("13812345678")) == 64


def test_phone_hash_depends_on_the_hash_key(tmp_path: Path) -> None:
    before = phone_hash("13812345678")
    _use_settings(tmp_path / "other")
    assert phone_hash("13812345678") != before


def test_keyed_hash_separates_purposes() -> None:
    assert keyed_hash("123456", "sms") == keyed_hash("123456", "sms")
    assert keyed_hash("123456", "sms") != keyed_hash("123456", "reset")
    assert keyed_hash("123456", "sms") != hashlib.sha256(b"123456").hexdigest()


def test_token_hash_is_sha256() -> None:
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("plain", ["", "13812345678", "北京市朝阳区 1-2-301", "x" * 5000])
def test_encrypt_round_trip(plain: str) -> None:
    token = encrypt_str(plain, bound_to=PLACE)
    assert plain not in token or plain == ""
    assert decrypt_str(token, bound_to=PLACE) == plain


def test_encryption_is_randomised_and_urlsafe() -> None:
    first, second = encrypt_str("same", bound_to=PLACE), encrypt_str("same", bound_to=PLACE)
    assert first != second
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def test_tampering_is_detected() -> None:
    raw = bytearray(base64.urlsafe_b64decode(encrypt_str("13812345678", bound_to=PLACE)))
    for index in (0, 5, len(raw) - 1):  # version byte, nonce, tag
        changed = bytearray(raw)
        changed[index] ^= 0x01
        with pytest.raises(ValueError):
            decrypt_str(base64.urlsafe_b64encode(bytes(changed)).decode(), bound_to=PLACE)


@pytest.mark.parametrize(
    "token", ["", "not base64!", "AAAA", "８８８８", base64.urlsafe_b64encode(b"\x01" * 20).decode()]
)
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(ValueError):
        decrypt_str(token, bound_to=PLACE)


def test_another_key_cannot_decrypt(tmp_path: Path) -> None:
    token = encrypt_str("secret", bound_to=PLACE)
    _use_settings(tmp_path / "other")
    with pytest.raises(ValueError):
        decrypt_str(token, bound_to=PLACE)


def test_a_value_opens_only_where_it_was_sealed() -> None:
    # the same key, another column or another row: refused, so values cannot be swapped between rows
    token = encrypt_str("13812345678", bound_to=PLACE)
    for elsewhere in ("user_account.phone_enc:other-row", "other_table.phone_enc:row-1", ""):
        with pytest.raises(ValueError):
            decrypt_str(token, bound_to=elsewhere)
    with pytest.raises(ValueError):
        encrypt_str("x", bound_to="")


def test_user_phones_are_bound_to_their_rows() -> None:
    enc_a, hash_a = seal_phone("13812345678")
    enc_b, hash_b = seal_phone("13912345678")
    assert open_phone(enc_a, hash_a) == "13812345678"
    with pytest.raises(ValueError):  # a's encrypted phone moved into b's row
        open_phone(enc_a, hash_b)


def test_legacy_values_are_read_only_for_resealing() -> None:
    legacy = _legacy_token("13812345678")
    assert is_legacy(legacy) and decrypt_legacy(legacy) == "13812345678"
    with pytest.raises(ValueError):
        decrypt_str(legacy, bound_to=PLACE)


def _legacy_token(plain: str) -> str:
    """A value as the first format wrote it (version 1, no binding)."""
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from backend.settings import get_settings

    nonce = os.urandom(12)
    sealed = AESGCM(get_settings().field_key).encrypt(nonce, plain.encode(), b"\x01")
    return base64.urlsafe_b64encode(b"\x01" + nonce + sealed).decode()
