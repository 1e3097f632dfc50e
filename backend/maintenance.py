"""Scheduled work that no request triggers, and the job runner of each process.

Housekeeping (expired technician positions, uploads nobody attached, job runs past `JOB_RUN_RETENTION_DAYS`
beyond each job's latest few) is the `maintenance.purge` job: every `MAINTENANCE_INTERVAL` seconds (900: on the
quarter hour; 0: never), and on demand with `python -m backend.cli purge`. Every step is an idempotent delete.
`start_jobs` runs the jobs inside the server without Redis; with Redis the server only schedules and enqueues, and
`python -m backend.cli worker` (`run_worker`) runs them. Every runner also looks, each `MAINTENANCE_INTERVAL`, for
runs left behind (a dead worker's, messages lost) and hands them to the queue again (core.jobs `redeliver`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from backend.core.jobs import JobRunner, Schedule, job, set_recorder
from backend.domains.files.service import purge_unattached
from backend.domains.jobs.service import DatabaseRecorder, trim_runs
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
    retention = timedelta(days=get_settings().job_run_retention_days)
    done["job_runs"] = await trim_runs(older_than=datetime.now(UTC) - retention)
    return done


@job("maintenance.purge", schedule=purge_schedule)
async def purge() -> None:
    """The housekeeping job: one pass, logged when it removed anything."""
    done = await run_once()
    if any(done.values()):
        log.info("maintenance removed %s", done)


def _runner(settings: Settings) -> JobRunner:
    # The routine look for runs to hand over again (a dead worker's, lost messages) is housekeeping too: every
    # MAINTENANCE_INTERVAL (0: only when Redis answers again after an outage).
    return JobRunner(redis_url=settings.redis_url, sweep_every=settings.maintenance_interval or None)


async def start_jobs(settings: Settings) -> JobRunner:
    """The runner of a server process: runs jobs itself without Redis, only schedules and enqueues with it."""
    set_recorder(DatabaseRecorder())  # runs are recorded in job_run (jobRuns, the unique occurrence claim)
    runner = _runner(settings)
    await runner.start(work=settings.redis_url is None)
    return runner


async def run_worker(settings: Settings) -> None:
    """The `worker` command: run queued jobs (and schedule, like every process) until cancelled."""
    if not settings.redis_url:
        raise SystemExit("the worker takes jobs from Redis: set REDIS_URL (without it the server runs them itself)")
    set_recorder(DatabaseRecorder())
    runner = _runner(settings)
    await runner.start(work=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.stop()
