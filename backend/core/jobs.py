"""Background and scheduled jobs: a registry (`@job`), a taskiq broker, a scheduler and retries with backoff.

Without `REDIS_URL` jobs run inside the server process on taskiq's `InMemoryBroker`. With it they go to a Redis
stream (taskiq-redis `RedisStreamBroker`: a consumer group, acknowledged after the run, re-delivered when a worker
dies before acknowledging: at least once) and the `worker` command runs them; server processes only enqueue.

Every process may run the scheduler: each scheduled occurrence has a deterministic key (job name and UTC instant),
and enqueueing first claims that key (Redis `SET NX` when there is Redis, then a unique row through the recorder),
so an occurrence is enqueued once however many schedulers see it. A delivery runs only after the recorder moves
its row from queued to running (a conditional update), so a re-delivered message never runs a finished job again.

The record of runs belongs to a domain (backend/domains/jobs installs its `Recorder`); core only knows the
interface. Schedules are cron expressions (minute hour day-of-month month day-of-week) read in an IANA time zone,
or a number of seconds (occurrences at multiples of it since the epoch).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from taskiq import AsyncBroker, InMemoryBroker
from taskiq.api import run_receiver_task

log = logging.getLogger("courtyard.jobs")

DEFAULT_TIMEZONE = "Asia/Shanghai"  # until communities carry their own
QUEUE = "courtyard:jobs"
CLAIM_TTL = 7 * 24 * 3600
# A running row older than this is taken to belong to a dead worker; the stream re-delivers after the same time.
LEASE = timedelta(minutes=15)
ERROR_LIMIT = 2000
Schedule = str | int | None


# ----------------------------------------------------------------------------------------------------- cron


_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))  # minute hour day month weekday (0 and 7: Sunday)


@dataclass(frozen=True)
class Cron:
    """A parsed five-field cron expression."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        parts = text.split()
        if len(parts) != 5:
            raise ValueError(f"cron {text!r}: five fields expected (minute hour day month weekday)")
        sets = [_parse_field(p, lo, hi, text) for p, (lo, hi) in zip(parts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(text, sets[0], sets[1], sets[2], sets[3], weekdays, parts[2] == "*", parts[4] == "*")

    def matches(self, local: datetime) -> bool:
        if local.minute not in self.minutes or local.hour not in self.hours or local.month not in self.months:
            return False
        day_ok = local.day in self.days
        weekday_ok = (local.isoweekday() % 7) in self.weekdays
        # Cron's rule: when both day fields are restricted, either may match.
        if not self.any_day and not self.any_weekday:
            return day_ok or weekday_ok
        return day_ok and weekday_ok


def _parse_field(part: str, lo: int, hi: int, text: str) -> frozenset[int]:
    out: set[int] = set()
    for item in part.split(","):
        rng, _, step_s = item.partition("/")
        try:
            step = int(step_s) if step_s else 1
            if rng == "*":
                start, end = lo, hi
            elif "-" in rng:
                a, b = rng.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = int(rng)
                end = hi if step_s else start
        except ValueError:
            raise ValueError(f"cron {text!r}: cannot read {item!r}") from None
        if step < 1 or not lo <= start <= end <= hi:
            raise ValueError(f"cron {text!r}: {item!r} is outside {lo}-{hi}")
        out.update(range(start, end + 1, step))
    return frozenset(out)


def next_fire(schedule: str | int, after: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The first occurrence strictly after `after` (UTC), the cron read as wall-clock time in `timezone`."""
    after = after.astimezone(UTC)
    if isinstance(schedule, int):
        if schedule <= 0:
            raise ValueError("an interval is a positive number of seconds")
        return datetime.fromtimestamp((int(after.timestamp()) // schedule + 1) * schedule, UTC)
    cron, zone = Cron.parse(schedule), ZoneInfo(timezone)
    # Walk UTC minutes (so DST gaps and repeats resolve naturally); a year bounds any valid expression.
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60 + 1):
        if cron.matches(t.astimezone(zone)):
            return t
        t += timedelta(minutes=1)
    raise ValueError(f"cron {schedule!r} never fires")


def occurrence_key(name: str, at: datetime) -> str:
    """The deterministic key of a scheduled occurrence: the same in every process."""
    return f"{name}@{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


# ------------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class JobSpec:
    """A declared job: what runs, when, and how failures are retried."""

    name: str
    fn: Callable[[], Awaitable[Any]]
    schedule: Schedule | Callable[[], Schedule]
    timezone: str
    max_attempts: int
    backoff: float  # seconds before the second attempt; doubled for each later one
    max_backoff: float

    def current_schedule(self) -> Schedule:
        """The schedule now (a callable schedule reads its settings when asked); None: only on demand."""
        return self.schedule() if callable(self.schedule) else self.schedule

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): exponential, capped."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)


JOBS: dict[str, JobSpec] = {}


def job(name: str, *, schedule: Schedule | Callable[[], Schedule] = None, timezone: str = DEFAULT_TIMEZONE,
        max_attempts: int = 3, backoff: float = 5.0,
        max_backoff: float = 300.0) -> Callable[[Callable[[], Awaitable[Any]]], Callable[[], Awaitable[Any]]]:
    """Declare a job (an async function without arguments), optionally on a cron or interval schedule."""
    ZoneInfo(timezone)  # an unknown zone fails at import time, not at the first run
    if isinstance(schedule, str):
        Cron.parse(schedule)
    if len(name) > 100 or max_attempts < 1:
        raise ValueError(f"job {name!r}: a name of at most 100 characters and at least one attempt")

    def register(fn: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        if name in JOBS and JOBS[name].fn is not fn:
            raise RuntimeError(f"job {name} declared twice")
        JOBS[name] = JobSpec(name, fn, schedule, timezone, max_attempts, backoff, max_backoff)
        return fn

    return register


# ------------------------------------------------------------------------------------------------- recorder


class Recorder(Protocol):
    """Where runs are recorded; also the claim that makes each occurrence run once."""

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None) -> bool:
        """Record a queued run under `key`; False when the key exists already."""

    async def start(self, *, key: str, lease: timedelta) -> int | None:
        """Move the run from queued (or a running row older than `lease`) to running; the attempt number, or
        None when another delivery has it or it has finished."""

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        """Record the end of an attempt: succeeded, failed for good (`final`), or queued for a retry."""


class MemoryRecorder:
    """The fallback record, in memory, for a process that did not install the database one (backend/domains/jobs)."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None) -> bool:
        if key in self.runs:
            return False
        self.runs[key] = {"name": name, "status": "queued", "attempts": 0, "error": ""}
        return True

    async def start(self, *, key: str, lease: timedelta) -> int | None:
        run = self.runs.get(key)
        if run is None or run["status"] != "queued":
            return None
        run.update(status="running", attempts=run["attempts"] + 1)
        return int(run["attempts"])

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        self.runs[key].update(status="succeeded" if ok else "failed" if final else "queued", error=error,
                              duration_ms=duration_ms)


_recorder: list[Recorder] = []


def set_recorder(recorder: Recorder) -> None:
    """Install the process's recorder (the jobs domain does, when imported)."""
    _recorder[:] = [recorder]


def get_recorder() -> Recorder:
    if not _recorder:
        _recorder.append(MemoryRecorder())
    return _recorder[0]


# --------------------------------------------------------------------------------------------------- runner


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


class JobRunner:
    """The broker of this process, the scheduler, and the execution of a delivered job with its retries."""

    def __init__(self, *, redis_url: str | None = None, recorder: Recorder | None = None, queue: str = QUEUE,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.recorder = recorder
        self.claim_prefix = queue + ":claim:"
        self.redis: Any = None
        self.broker: AsyncBroker
        if redis_url:
            from redis.asyncio import Redis
            from taskiq_redis import RedisStreamBroker

            # Streams with a consumer group: a message is acknowledged after its run and handed to another worker
            # when it stays unacknowledged for LEASE (a list broker loses what a dying worker had popped).
            self.broker = RedisStreamBroker(
                redis_url, queue_name=queue, consumer_group_name="courtyard-workers", consumer_id="0",
                idle_timeout=int(LEASE.total_seconds() * 1000), maxlen=100_000,
                unacknowledged_lock_timeout=30,
            )
            self.redis = Redis.from_url(redis_url)
        else:
            self.broker = InMemoryBroker(max_async_tasks=10, propagate_exceptions=False)
        self._sleep = sleep

        async def run_job(name: str, key: str) -> None:  # taskiq renames what it registers: not a bound method
            await self.execute(name, key)

        self._task = self.broker.register_task(run_job, task_name="courtyard.run_job")
        self._background: list[asyncio.Task[Any]] = []

    @property
    def _rec(self) -> Recorder:
        return self.recorder or get_recorder()

    async def enqueue(self, name: str, *, key: str | None = None, scheduled_for: datetime | None = None) -> bool:
        """Queue a run of `name` once per key (a fresh key when none is given); False when the key was taken."""
        if name not in JOBS:
            raise KeyError(f"unknown job {name}")
        key = key or f"{name}#{uuid.uuid4().hex}"
        if self.redis is not None and not await self.redis.set(self.claim_prefix + key, "1", nx=True, ex=CLAIM_TTL):
            return False
        try:
            claimed = await self._rec.claim(name=name, key=key, scheduled_for=scheduled_for)
        except Exception:
            if self.redis is not None:  # the record could not be written: let the next scheduler try again
                await self.redis.delete(self.claim_prefix + key)
            raise
        if not claimed:
            return False
        await self._task.kicker().with_task_id(key).kiq(name, key)
        return True

    async def execute(self, name: str, key: str) -> None:
        """Run a delivered job: each attempt claimed from the record, failures retried with backoff."""
        spec = JOBS.get(name)
        while (attempt := await self._rec.start(key=key, lease=LEASE)) is not None:
            started = time.perf_counter()
            try:
                if spec is None:
                    raise LookupError(f"job {name} is not declared in this process")
                await spec.fn()
            except Exception as exc:  # noqa: BLE001 - recorded, retried, and never allowed to kill the worker
                final = spec is None or attempt >= spec.max_attempts
                await self._rec.finish(key=key, ok=False, final=final, error=_error_text(exc),
                                       duration_ms=int((time.perf_counter() - started) * 1000))
                if final:
                    log.error("job %s failed after %d attempt(s): %s", key, attempt, _error_text(exc))
                    return
                assert spec is not None
                log.warning("job %s attempt %d failed (%s); retrying in %.1f s", key, attempt, type(exc).__name__,
                            spec.delay(attempt))
                await self._sleep(spec.delay(attempt))
                continue
            await self._rec.finish(key=key, ok=True, final=True, error="",
                                   duration_ms=int((time.perf_counter() - started) * 1000))
            return

    async def schedule_due(self, due: dict[str, datetime], now: datetime,
                           specs: dict[str, JobSpec] | None = None) -> None:
        """Enqueue every occurrence in `due` (job -> next instant) that has come, and advance them."""
        specs = JOBS if specs is None else specs
        for name, at in list(due.items()):
            spec = specs.get(name)
            schedule = spec.current_schedule() if spec is not None else None
            if spec is None or schedule is None:
                del due[name]
                continue
            if at > now:
                continue
            if now - at > timedelta(hours=1):  # asleep for long (a suspended laptop): skip to the latest one
                at = next_fire(schedule, now - timedelta(minutes=1), spec.timezone)
                at = at if at <= now else now
            try:
                if await self.enqueue(name, key=occurrence_key(name, at), scheduled_for=at):
                    log.info("scheduled %s", occurrence_key(name, at))
            except Exception:  # noqa: BLE001 - the next occurrence tries again
                log.exception("could not enqueue %s", occurrence_key(name, at))
            due[name] = next_fire(schedule, at, spec.timezone)

    async def run_scheduler(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """Until cancelled: enqueue each scheduled job's occurrences as they come (from now on)."""
        specs = dict(JOBS)  # the jobs declared when the process started (their modules are imported by then)
        due: dict[str, datetime] = {}
        while True:
            now = clock()
            for name, spec in specs.items():
                schedule = spec.current_schedule()
                if schedule is not None and name not in due:
                    due[name] = next_fire(schedule, now, spec.timezone)
            await self.schedule_due(due, now, specs)
            wake = min(due.values(), default=now + timedelta(seconds=30))
            await asyncio.sleep(max(0.05, min((wake - clock()).total_seconds(), 30.0)))

    async def start(self, *, work: bool, schedule: bool = True) -> None:
        """Start the broker; run the scheduler and, when `work`, the jobs themselves (worker side) here."""
        if work and not isinstance(self.broker, InMemoryBroker):
            self.broker.is_worker_process = True
        await self.broker.startup()
        if work and not isinstance(self.broker, InMemoryBroker):
            self._background.append(asyncio.create_task(run_receiver_task(self.broker, max_async_tasks=10)))
        if schedule:
            self._background.append(asyncio.create_task(self.run_scheduler()))

    async def stop(self) -> None:
        """Stop the scheduler and receiver, let in-process runs end, and close the broker."""
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._background.clear()
        if isinstance(self.broker, InMemoryBroker):
            # Runs in this process get a moment to end; one still waiting out its backoff stays queued/running in
            # the record (nothing re-delivers an in-process run).
            running = list(self.broker._running_tasks)
            if running:
                _, late = await asyncio.wait(running, timeout=10)
                for task in late:
                    task.cancel()
        await self.broker.shutdown()
        if self.redis is not None:
            await self.redis.aclose()
