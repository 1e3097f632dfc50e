"""The data directory holds the SQLite database (with its -wal and -shm files), generated secrets and uploads:
only the server's own user may read any of it."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def secure(data_dir: Path) -> None:
    """Create the data dir owner-only, tighten what is already in it, and make new files owner-only.

    The umask covers files that libraries create later on their own (SQLite's -wal and -shm, uploads).
    """
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(data_dir, PRIVATE_DIR)
    for path in data_dir.rglob("*"):
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                continue
            wanted = PRIVATE_DIR if path.is_dir() else PRIVATE_FILE
            if mode & 0o077:
                os.chmod(path, mode & ~0o077 & 0o777 | (wanted & 0o700))
