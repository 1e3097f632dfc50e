"""The job runner: runs and records jobs, retries with backoff, fires cron schedules in a time zone, and runs
each scheduled occurrence once however many schedulers (processes) see it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.core import jobs
from backend.core.jobs import JobRunner, next_fire, occurrence_key
from backend.domains.jobs.models import JobRun, JobRunStatus
from tests.conftest import TEST_REDIS_URL
from tests.support.jobs import settled


def declare(name: str, fn: Callable[[], Awaitable[Any]], **options: Any) -> str:
    jobs.job(name, **options)(fn)
    return name


class Sleeps:
    """Stands in for asyncio.sleep between attempts: records the backoff instead of waiting it out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def started(runners: list[JobRunner], *, redis: bool = False, work: bool = True, queue: str | None = None,
                  sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> JobRunner:
    runner = JobRunner(redis_url=TEST_REDIS_URL if redis else None, queue=queue or "courtyard:jobs", sleep=sleep)
    await runner.start(work=work, schedule=False)
    runners.append(runner)
    return runner


async def test_the_in_process_runner_runs_a_job_and_records_the_run(app, registry, runners):
    calls: list[int] = []

    async def work() -> None:
        calls.append(1)

    name = declare("test.works", work)
    runner = await started(runners)

    assert await runner.enqueue(name, key="test.works#1")

    run = await settled("test.works#1")
    assert calls == [1]
    assert (run.name, run.status, run.attempts, run.error) == (name, JobRunStatus.SUCCEEDED, 1, "")
    assert run.started_at is not None and run.finished_at is not None and run.duration_ms is not None
    # A message delivered again (at least once) finds the run finished and does nothing.
    await runner.execute(name, "test.works#1")
    assert calls == [1]


async def test_a_failing_job_is_retried_with_exponential_backoff_and_ends_failed_with_its_error(
        app, registry, runners):
    attempts: list[int] = []

    async def broken() -> None:
        attempts.append(1)
        raise RuntimeError("ledger unavailable " + "x" * 5000)

    name = declare("test.broken", broken, max_attempts=4, backoff=2.0, max_backoff=5.0)
    sleeps = Sleeps()
    runner = await started(runners, sleep=sleeps)

    assert await runner.enqueue(name, key="test.broken#1")

    run = await settled("test.broken#1")
    assert len(attempts) == 4 and sleeps.delays == [2.0, 4.0, 5.0]  # doubled each time, capped
    assert (run.status, run.attempts) == (JobRunStatus.FAILED, 4)
    assert run.error.startswith("RuntimeError: ledger unavailable") and len(run.error) == jobs.ERROR_LIMIT


async def test_a_job_that_recovers_on_a_retry_succeeds(app, registry, runners):
    attempts: list[int] = []

    async def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database went away")

    name = declare("test.flaky", flaky)
    runner = await started(runners, sleep=Sleeps())
    await runner.enqueue(name, key="test.flaky#1")
    run = await settled("test.flaky#1")
    assert (run.status, run.attempts, len(attempts)) == (JobRunStatus.SUCCEEDED, 2, 2)


def test_a_cron_schedule_is_read_in_its_time_zone():
    midnight_utc = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai (UTC+8, no DST)
    # 02:30 in Shanghai is 18:30 UTC the day before.
    assert next_fire("30 2 * * *", midnight_utc, "Asia/Shanghai") == datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    assert next_fire("30 2 * * *", midnight_utc, "UTC") == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    # 2026-12-07 is a Monday: 09:00 Monday in Shanghai is 01:00 UTC that day.
    assert next_fire("0 9 * * 1", midnight_utc, "Asia/Shanghai") == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    # Every quarter hour, strictly after the given instant.
    at = datetime(2026, 12, 1, 3, 15, tzinfo=UTC)
    assert next_fire("*/15 * * * *", at, "Asia/Shanghai") == datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
    # An interval in seconds: multiples since the epoch, the same in every process.
    assert next_fire(600, at + timedelta(seconds=1)) == datetime(2026, 12, 1, 3, 20, tzinfo=UTC)
    # New York's DST gap: 02:30 does not exist on 2026-03-08, so that day has no run.
    assert next_fire("30 2 * * *", datetime(2026, 3, 7, 12, tzinfo=UTC), "America/New_York") == \
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    for bad in ("* * *", "61 * * * *", "*/0 * * * *", "a * * * *"):
        with pytest.raises(ValueError):
            next_fire(bad, at)


async def test_the_scheduler_enqueues_an_occurrence_at_its_utc_instant(app, registry, runners):
    ran: list[int] = []

    async def nightly() -> None:
        ran.append(1)

    name = declare("test.nightly", nightly, schedule="30 2 * * *", timezone="Asia/Shanghai")
    runner = await started(runners)
    fire = next_fire("30 2 * * *", datetime(2026, 12, 1, tzinfo=UTC), "Asia/Shanghai")
    due = {name: fire}

    await runner.schedule_due(due, fire - timedelta(seconds=1))  # not yet
    assert not await JobRun.exists() and due[name] == fire
    await runner.schedule_due(due, fire)

    run = await settled("test.nightly@2026-12-01T18:30:00Z")
    assert run.scheduled_for == fire and ran == [1]
    assert due[name] == datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # the next night


async def test_the_embedded_scheduler_runs_an_interval_job_on_the_clock(app, registry, runners):
    ran: list[int] = []

    async def tick() -> None:
        ran.append(1)

    declare("test.tick", tick, schedule=1)
    runner = JobRunner()
    await runner.start(work=True)  # with its scheduler
    runners.append(runner)
    run = await settled(await _first_key("test.tick"), within=5)
    assert run.status == JobRunStatus.SUCCEEDED and run.occurrence_key.endswith("Z")


async def _first_key(name: str) -> str:
    for _ in range(200):
        row = await JobRun.filter(name=name).first()
        if row is not None:
            return row.occurrence_key
        await asyncio.sleep(0.02)
    raise AssertionError(f"{name} was never scheduled")


# The Redis variant runs in the passes that have a Redis (TEST_REDIS_URL); it is not collected, not skipped, without.
@pytest.mark.parametrize("redis", [False, True] if TEST_REDIS_URL else [False], ids=["in-process", "redis"][
    : 2 if TEST_REDIS_URL else 1])
async def test_two_schedulers_claim_each_occurrence_once(app, registry, runners, redis):
    ran: list[int] = []

    async def once() -> None:
        ran.append(1)

    name = declare("test.once", once, schedule="*/15 * * * *")
    queue = f"courtyard:jobs:test:{uuid.uuid4().hex}"  # a stream (and claim keys) of this test alone
    # Two processes' runners: with Redis, one worker and one server that only enqueues; in-process, two runners
    # that share the database claim.
    first = await started(runners, redis=redis, queue=queue, work=True)
    second = await started(runners, redis=redis, queue=queue, work=not redis)
    at = datetime(2026, 12, 1, 3, 15, tzinfo=UTC)

    for _ in range(3):  # and again, as a scheduler that restarts within the minute would
        claimed = await asyncio.gather(first.enqueue(name, key=occurrence_key(name, at), scheduled_for=at),
                                       second.enqueue(name, key=occurrence_key(name, at), scheduled_for=at))
        assert sorted(claimed) == ([False, True] if _ == 0 else [False, False])

    run = await settled(occurrence_key(name, at))
    assert run.status == JobRunStatus.SUCCEEDED and ran == [1]
    assert await JobRun.filter(name=name).count() == 1
    # The next occurrence is a new claim.
    later = at + timedelta(minutes=15)
    assert await second.enqueue(name, key=occurrence_key(name, later), scheduled_for=later)
    await settled(occurrence_key(name, later))
    assert ran == [1, 1]
    if redis:
        await first.redis.delete(first.claim_prefix + occurrence_key(name, at),
                                 first.claim_prefix + occurrence_key(name, later), queue)
