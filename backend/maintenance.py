"""Housekeeping that no request triggers: expired technician positions and uploads nobody attached.

Runs every `MAINTENANCE_INTERVAL` seconds inside each server process (every step is an idempotent delete, so
several processes may run it at once) and on demand with `python -m backend.cli purge`.
"""

from __future__ import annotations

import asyncio
import logging

from backend.domains.files.service import purge_unattached
from backend.domains.repairs.location import purge_expired

log = logging.getLogger("courtyard.maintenance")


async def run_once() -> dict[str, int]:
    """One pass; returns how many rows each step removed."""
    done = {"positions": await purge_expired()}
    # purge_unattached works in batches of 1,000; keep going while batches come back full.
    uploads = 0
    while True:
        n = await purge_unattached()
        uploads += n
        if n < 1000:
            break
    done["uploads"] = uploads
    return done


async def loop(interval: int) -> None:
    """Run a pass every `interval` seconds until cancelled; a failing pass is logged and retried next time."""
    while True:
        await asyncio.sleep(interval)
        try:
            done = await run_once()
            if any(done.values()):
                log.info("maintenance removed %s", done)
        except Exception:  # noqa: BLE001 - the next pass retries; the server must keep running
            log.exception("maintenance pass failed")
