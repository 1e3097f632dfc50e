"""Settings, production hardening, the command line and graceful shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets

from backend.schema import build_schema
from backend.settings import SettingsError, load_settings
from tests.support.live_server import LiveServer, live_server
from tests.test_live_subscriptions import Socket

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings({"COURTYARD_ENV": "prod", "COURTYARD_DATA_DIR": str(tmp_path)})
    with pytest.raises(SettingsError):
        load_settings({"COURTYARD_ENV": "prod", "SECRET_KEY": "short", "FIELD_ENCRYPTION_KEY": "x", "FIELD_HASH_KEY": "y"})
    assert not (tmp_path / "secrets.json").exists()


def test_dev_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = load_settings({"COURTYARD_DATA_DIR": str(tmp_path)})
    second = load_settings({"COURTYARD_DATA_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key and len(first.field_key) == 32
    assert oct((tmp_path / "secrets.json").stat().st_mode)[-3:] == "600"


async def test_production_schema_hides_introspection_and_suggestions() -> None:
    prod = build_schema(production=True)
    result = await prod.execute("{ __schema { types { name } } }")
    assert result.errors and result.data is None
    typo = await prod.execute("{ viewr { user { name } } }")
    assert typo.errors and "Did you mean" not in typo.errors[0].message
    dev = build_schema(production=False)
    assert (await dev.execute("{ __schema { queryType { name } } }")).errors is None


def _cli(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "COURTYARD_DATA_DIR": str(data_dir), "COURTYARD_ENV": "dev"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_cli_migrates_seeds_once_and_creates_admins(tmp_path: Path) -> None:
    _cli(tmp_path, "migrate")
    assert "created" in _cli(tmp_path, "seed-demo")
    assert "already present" in _cli(tmp_path, "seed-demo")
    _cli(tmp_path, "create-admin", "--phone", "13512345678", "--name", "Ops", "--password", "Str0ngPassw0rd")
    db = sqlite3.connect(tmp_path / "courtyard.sqlite3")
    try:
        assert db.execute("select count(*) from company").fetchone()[0] == 1
        assert db.execute("select count(*) from user_account where is_platform_admin = 1").fetchone()[0] == 2
        assert db.execute("select count(*) from unit").fetchone()[0] == 48
        # Every demo staff member has a 职位
        titles = [r[0] for r in db.execute("select title from staff_member order by id")]
        assert len(titles) == 6 and all(titles), titles
    finally:
        db.close()
    schema_out = tmp_path / "schema.graphql"
    _cli(tmp_path, "export-schema", "--output", str(schema_out))
    assert "type Query" in schema_out.read_text()


def _printed(server: LiveServer, text: str) -> str:
    """The server's stdout once `text` is in it (printed right after start-up, so give it a moment)."""
    deadline = time.monotonic() + 10
    while text not in server.stdout_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    return server.stdout_text()


def test_serve_says_where_to_sign_in_on_every_start(tmp_path: Path) -> None:
    with live_server(data_dir=tmp_path) as server:
        first = _printed(server, "13900000001")
    with live_server(data_dir=tmp_path) as server:
        second = _printed(server, "13900000001")
    for out in (first, second):
        assert f"sign in at {server.url.rsplit(':', 1)[0]}:" in out and "/login" in out, out
        assert "13800000001" in out and "Courtyard2026" in out
    assert "created the demo data" in first and "created the demo data" not in second


async def test_graceful_shutdown_closes_sockets_with_going_away(tmp_path: Path) -> None:
    with live_server(data_dir=tmp_path) as server:
        sock, ack = await Socket.open(server.url, None)
        assert ack["type"] == "connection_ack"
        os.killpg(server.pid, signal.SIGTERM)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(sock.ws.recv(), 15)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
