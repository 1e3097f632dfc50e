"""The smaller findings: owner-only data files, audit entries scoped like the grant, phones bound to their rows."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.cli import reseal_phones
from backend.core import datadir
from backend.core.crypto import open_phone, phone_hash
from backend.core.ids import encode_id
from backend.domains.accounts.models import User
from backend.settings import get_settings
from tests.factories import (
    make_building,
    make_community,
    make_company,
    make_staff,
    make_unit,
    make_user,
    token_for,
)


def _loose(path: Path) -> list[str]:
    return [f"{p} {oct(stat.S_IMODE(p.stat().st_mode))}" for p in [path, *path.rglob("*")]
            if not p.is_symlink() and stat.S_IMODE(p.stat().st_mode) & 0o077]


async def test_the_data_dir_is_readable_by_the_server_only(api: Any) -> None:
    # given a running server that has written to its data dir (database with its journal, secrets, an upload)
    await make_user("Someone")
    data_dir = get_settings().data_dir
    # then nothing in it is readable by the group or others
    assert _loose(data_dir) == []


def test_secure_tightens_what_was_left_open(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        (tmp_path / "courtyard.sqlite3-wal").write_bytes(b"x")
        (tmp_path / "uploads").mkdir()
        (tmp_path / "uploads" / "a.jpg").write_bytes(b"x")
        os.chmod(tmp_path / "courtyard.sqlite3-wal", 0o644)
        datadir.secure(tmp_path)
        assert _loose(tmp_path) == []
        (tmp_path / "new-file").write_bytes(b"x")  # files made later by libraries are owner-only too
        assert _loose(tmp_path) == []
    finally:
        os.umask(old)


AUDIT = "{ auditLogs(first: 50) { nodes { action targetId } } }"
RENAME = 'mutation($id: ID!) { unitUpdate(id: $id, input: {number: "N", floor: 1, area: "9.00"}) { errors { code } } }'


async def test_audit_read_limited_to_a_community_sees_only_that_communitys_entries(api: Any) -> None:
    # given two communities and a change in each, made by the company admin
    company = await make_company()
    c1, c2 = await make_community(company, "C1"), await make_community(company, "C2")
    u1, u2 = await make_unit(await make_building(c1)), await make_unit(await make_building(c2))
    admin = await token_for(await make_staff(company, "company_admin"))
    for unit in (u1, u2):
        body = await api.gql(RENAME, {"id": encode_id("Unit", unit.id)}, token=admin)
        assert body["unitUpdate"]["errors"] == []
    # when a manager limited to C1 and the admin read the log
    manager = await token_for(await make_staff(company, "community_manager", c1, "Manager"))
    seen = {n["targetId"] for n in (await api.gql(AUDIT, token=manager))["auditLogs"]["nodes"]}
    everything = {n["targetId"] for n in (await api.gql(AUDIT, token=admin))["auditLogs"]["nodes"]}
    # then the manager sees C1's entry only; the admin both
    assert seen == {encode_id("Unit", u1.id)}
    assert everything == {encode_id("Unit", u1.id), encode_id("Unit", u2.id)}


def _legacy(plain: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(get_settings().field_key).encrypt(nonce, plain.encode(), b"\x01")
    return base64.urlsafe_b64encode(b"\x01" + nonce + sealed).decode()


async def test_migrate_reseals_old_phones_to_their_rows_and_refuses_swapped_ones(api: Any) -> None:
    # given rows written by the first format (not bound to their row)
    a, b = await make_user("A", phone="13811112222"), await make_user("B", phone="13933334444")
    await User.filter(id=a.id).update(phone_enc=_legacy("13811112222"))
    await User.filter(id=b.id).update(phone_enc=_legacy("13933334444"))
    # when migrate reseals them
    assert await reseal_phones() == 2
    assert await reseal_phones() == 0  # idempotent
    # then each opens with its own row's hash, and not with another's
    a, b = await User.get(id=a.id), await User.get(id=b.id)
    assert open_phone(a.phone_enc, a.phone_hash) == "13811112222"
    with pytest.raises(ValueError):
        open_phone(a.phone_enc, b.phone_hash)
    # and an old value moved into another row is refused rather than bound to it
    await User.filter(id=b.id).update(phone_enc=_legacy("13811112222"))
    with pytest.raises(RuntimeError):
        await reseal_phones()
    assert (await User.get(id=b.id)).phone_hash == phone_hash("13933334444")
