"""Jobs for the Redis outage tests, and a job runner process of their own.

Every run appends "<job> <arg> <pid>" to a file the test reads (appends of one short line are atomic), so the test
counts executions independently of job_run. `python -m tests.support.outage_jobs DB_URL REDIS_URL QUEUE RUNS STOP`
runs a worker with its scheduler (like `backend.cli worker`) with these jobs declared, prints "ready", and stops
when its stdin closes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from tortoise import Tortoise

from backend.core import jobs
from backend.core.jobs import JobRunner, Schedule
from backend.domains.jobs.models import JobRun
from backend.domains.jobs.service import DatabaseRecorder
from backend.settings import tortoise_config

SLOW = 2.0  # seconds an outage.slow run takes
_paths: dict[str, Path] = {}


def configure(runs: Path, stop: Path) -> None:
    """Where runs are written, and the file whose presence stops the ticks."""
    _paths.update(runs=runs, stop=stop)


def _ran(name: str, arg: int | None) -> None:
    with _paths["runs"].open("a", encoding="utf-8") as out:
        out.write(f"{name} {arg} {os.getpid()}\n")


def tick_schedule() -> Schedule:
    """Every second, until the stop file exists."""
    return None if _paths["stop"].exists() else 1


async def tick() -> None:
    _ran("outage.tick", None)


async def work(n: int) -> None:
    _ran("outage.work", n)


async def slow(n: int) -> None:
    await asyncio.sleep(SLOW)
    _ran("outage.slow", n)


def declare() -> None:
    """Declare the jobs in core.jobs.JOBS (a test's own registry, or this process's)."""
    jobs.job("outage.tick", schedule=tick_schedule, timezone="UTC")(tick)
    jobs.job("outage.work")(work)
    jobs.job("outage.slow")(slow)


def runs(path: Path) -> list[tuple[str, str, int]]:
    """(job, arg, pid) of every run written so far."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, arg, pid = line.split()
        out.append((name, arg, int(pid)))
    return out


async def main(db_url: str, redis_url: str, queue: str, runs_path: str, stop_path: str) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    configure(Path(runs_path), Path(stop_path))
    declare()
    await Tortoise.init(config=tortoise_config(db_url))
    try:
        # The test's database, migrated (not an empty one a wrong URL opens): else fail now, not at the first run.
        await JobRun.exists()
        jobs.set_recorder(DatabaseRecorder())
        runner = JobRunner(redis_url=redis_url, queue=queue, concurrency=1, sweep_every=0.5)
        await runner.start(work=True)
        print("ready", flush=True)
        try:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the test closes stdin
        finally:
            await runner.stop()
    finally:
        await Tortoise.close_connections()  # (an open SQLite connection's thread would keep the process alive)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
