"""Runs recorded but not on the queue: accepted while Redis is unreachable, handed over once it answers (by one
process each), and handed over again when the worker that had them died. The outage itself, with a real Redis
stopped and restarted under two worker processes, is tests/test_redis_outage.py."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

from backend.core import jobs
from backend.core.jobs import LEASE, JobRunner
from backend.domains.jobs.models import JobRun, JobRunStatus
from backend.domains.jobs.service import DatabaseRecorder
from tests.support.jobs import settled
from tests.support.live_server import free_port


def declare(ran: list[str]) -> None:
    async def record(n: int) -> None:
        ran.append(str(n))

    jobs.job("test.handover")(record)


async def test_a_run_asked_for_while_redis_is_unreachable_is_accepted_and_waits(app, registry, runners):
    ran: list[str] = []
    declare(ran)
    # Nothing listens on this port: a worker still starts, and enqueueing answers at once
    runner = JobRunner(redis_url=f"redis://127.0.0.1:{free_port()}/0", queue=f"test:{uuid.uuid4().hex}")
    started = time.perf_counter()
    await runner.start(work=True, schedule=False)
    runners.append(runner)

    assert await runner.enqueue("test.handover", key="test.handover#1", arg=1)
    assert not await runner.enqueue("test.handover", key="test.handover#1", arg=1)  # the row is the claim
    assert time.perf_counter() - started < 2.0

    row = await JobRun.get(occurrence_key="test.handover#1")
    assert (row.status, row.arg, row.enqueued_at) == (JobRunStatus.QUEUED, 1, None)
    assert await runner.redeliver() == 0  # still unreachable: it keeps waiting
    await asyncio.sleep(0.3)
    row = await JobRun.get(occurrence_key="test.handover#1")
    assert (row.status, row.enqueued_at, ran) == (JobRunStatus.QUEUED, None, [])


async def test_waiting_runs_are_handed_over_by_one_process_each_and_run_once(app, registry, runners):
    ran: list[str] = []
    declare(ran)
    recorder = DatabaseRecorder()
    for n in range(1, 6):  # recorded while Redis was down
        assert await recorder.claim(name="test.handover", key=f"test.handover#{n}", scheduled_for=None, arg=n,
                                    handed=False)
    first, second = JobRunner(), JobRunner()
    for runner in (first, second):
        await runner.start(work=True, schedule=False)
        runners.append(runner)

    handed = await asyncio.gather(first.redeliver(), second.redeliver())

    assert sum(handed) == 5
    for n in range(1, 6):
        run = await settled(f"test.handover#{n}")
        assert (run.status, run.attempts) == (JobRunStatus.SUCCEEDED, 1)
    assert sorted(ran) == ["1", "2", "3", "4", "5"]
    assert await first.redeliver() == 0 and await second.redeliver() == 0


async def test_a_run_whose_worker_died_is_handed_over_again_after_the_lease(app, registry, runners):
    ran: list[str] = []
    declare(ran)
    now = datetime.now(UTC)
    # One run taken by a worker that died 16 minutes ago, one taken a minute ago by a worker still at it
    await JobRun.create(name="test.handover", occurrence_key="test.handover#dead", arg=1, attempts=1,
                        status=JobRunStatus.RUNNING, enqueued_at=now - LEASE - timedelta(minutes=1),
                        started_at=now - LEASE - timedelta(minutes=1))
    await JobRun.create(name="test.handover", occurrence_key="test.handover#busy", arg=2, attempts=1,
                        status=JobRunStatus.RUNNING, enqueued_at=now - timedelta(minutes=1),
                        started_at=now - timedelta(minutes=1))
    runner = JobRunner()
    await runner.start(work=True, schedule=False)
    runners.append(runner)

    assert await runner.redeliver() == 1

    run = await settled("test.handover#dead")
    assert (run.status, run.attempts, ran) == (JobRunStatus.SUCCEEDED, 2, ["1"])
    busy = await JobRun.get(occurrence_key="test.handover#busy")
    assert (busy.status, busy.attempts) == (JobRunStatus.RUNNING, 1)
