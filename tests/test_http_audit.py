"""The GraphQL-over-HTTP audit (graphql-http's serverAudits) passes against the real server."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, live_server

AUDIT_DIR = Path(__file__).resolve().parent / "http_audit"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(data_dir=tmp_path_factory.mktemp("audit-data")) as srv:
        yield srv


def _node() -> str:
    node = shutil.which("node")
    # A failure, not a skip: a machine without Node would otherwise pass this contract silently.
    assert node is not None, "node is required for the GraphQL-over-HTTP audit (Node 20+ on PATH)"
    return node


def _install_audit_tools() -> None:
    if (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        return
    npm = shutil.which("npm")
    assert npm is not None, "npm is required to install tests/http_audit"
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"


def test_graphql_over_http_audit_passes(server: LiveServer) -> None:
    # given the audit tools
    node = _node()
    _install_audit_tools()

    # when every server audit runs against /graphql
    done = subprocess.run(
        [node, "audit.mjs", f"{server.url}/graphql"],
        cwd=AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then none errors or warns
    report = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, f"GraphQL-over-HTTP audit failed:\n{report}"
    assert "audit:" in done.stdout and " 0 warn, 0 error" in done.stdout, report
