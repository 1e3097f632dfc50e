"""Scheduled work that no request triggers, and the job runner of each process.

Housekeeping (expired technician positions, uploads nobody attached) is the `maintenance.purge` job: every
`MAINTENANCE_INTERVAL` seconds (900: on the quarter hour; 0: never), and on demand with `python -m backend.cli
purge`. Every step is an idempotent delete. `start_jobs` runs the jobs inside the server without Redis; with
Redis the server only schedules and enqueues, and `python -m backend.cli worker` (`run_worker`) runs them.
"""

from __future__ import annotations

import asyncio
import logging

from backend.core.jobs import JobRunner, Schedule, job, set_recorder
from backend.domains.files.service import purge_unattached
from backend.domains.jobs.service import DatabaseRecorder
from backend.domains.repairs.location import purge_expired
from backend.settings import Settings, get_settings

log = logging.getLogger("courtyard.maintenance")


def purge_schedule() -> Schedule:
    """MAINTENANCE_INTERVAL as a schedule: whole minutes dividing an hour become cron, anything else seconds."""
    seconds = get_settings().maintenance_interval
    if seconds <= 0:
        return None
    if seconds % 60 == 0 and 60 % (seconds // 60) == 0:
        return f"*/{seconds // 60} * * * *" if seconds < 3600 else "0 * * * *"
    return seconds


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


@job("maintenance.purge", schedule=purge_schedule)
async def purge() -> None:
    """The housekeeping job: one pass, logged when it removed anything."""
    done = await run_once()
    if any(done.values()):
        log.info("maintenance removed %s", done)


async def start_jobs(settings: Settings) -> JobRunner:
    """The runner of a server process: runs jobs itself without Redis, only schedules and enqueues with it."""
    set_recorder(DatabaseRecorder())  # runs are recorded in job_run (jobRuns, the unique occurrence claim)
    runner = JobRunner(redis_url=settings.redis_url)
    await runner.start(work=settings.redis_url is None)
    return runner


async def run_worker(settings: Settings) -> None:
    """The `worker` command: run queued jobs (and schedule, like every process) until cancelled."""
    if not settings.redis_url:
        raise SystemExit("the worker takes jobs from Redis: set REDIS_URL (without it the server runs them itself)")
    set_recorder(DatabaseRecorder())
    runner = JobRunner(redis_url=settings.redis_url)
    await runner.start(work=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.stop()
