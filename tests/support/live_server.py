"""Run the real server (`python -m backend.cli serve`) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.secrets_scan import outbox_codes, report, scan_text

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and what it has written to stderr so far."""

    url: str
    log_path: Path
    stdout_path: Path
    pid: int

    def log_text(self) -> str:
        """Everything the server wrote to stderr (where its logs go) so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def log_lines(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if line.strip()]

    def __str__(self) -> str:
        return self.url


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(nothing captured)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it has not exited in time."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=STOP_TIMEOUT)


def check_log_for_secrets(log_path: Path, data_dir: Path) -> None:
    """Fail when a server's log holds a full mobile, a JWT, a refresh token or a code its SMS stand-in took."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    findings = scan_text(text, outbox_codes(data_dir))
    if findings:
        raise AssertionError(report(findings, f"the server log {log_path}"))


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, log_path: Path, stdout_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no answer yet"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            code = proc.poll()
            if code is not None:
                raise RuntimeError(
                    f"server exited with {code} during start-up; stderr:\n{_tail(log_path)}"
                    f"\nstdout:\n{_tail(stdout_path, 10)}"
                )
            try:
                response = client.get(f"{base}/healthz")
                if response.status_code == 200:
                    return
                last_error = f"/healthz answered {response.status_code}"
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
    raise RuntimeError(
        f"server not healthy after {START_TIMEOUT:.0f}s ({last_error}); stderr:\n{_tail(log_path)}"
        f"\nstdout:\n{_tail(stdout_path, 10)}"
    )


@contextmanager
def live_server(
    env: dict[str, str] | None = None,
    *,
    data_dir: Path,
    command: Sequence[str] | None = None,
) -> Iterator[LiveServer]:
    """Start `backend.cli serve` on a free port, yield it once /healthz is 200, stop it on exit.

    Yields a LiveServer: `.url` is the base URL (`http://127.0.0.1:<port>`, also its `str()`),
    `.log_text()` / `.log_lines()` read the server's stderr captured so far. `command` replaces
    the serve command (it must honour PORT).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {
        **os.environ,
        "COURTYARD_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "COURTYARD_ENV": "dev",
        **(env or {}),
    }
    argv = list(command) if command is not None else [sys.executable, "-m", "backend.cli", "serve"]
    logs = Path(tempfile.mkdtemp(prefix="courtyard-server-"))
    log_path, stdout_path = logs / "stderr.log", logs / "stdout.log"
    try:
        with log_path.open("wb") as stderr, stdout_path.open("wb") as stdout:
            proc = subprocess.Popen(
                argv,
                cwd=REPO_ROOT,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                # Its own process group, so stopping it also stops any worker it forks.
                start_new_session=True,
            )
        try:
            _wait_healthy(proc, base, log_path, stdout_path)
            yield LiveServer(url=base, log_path=log_path, stdout_path=stdout_path, pid=proc.pid)
        finally:
            _stop(proc)
            check_log_for_secrets(log_path, data_dir)
    finally:
        shutil.rmtree(logs, ignore_errors=True)
