"""Background and scheduled jobs: a registry (`@job`), a taskiq broker, a scheduler and retries with backoff.

Without `REDIS_URL` jobs run inside the server process on taskiq's `InMemoryBroker`. With it they go to a Redis
stream (taskiq-redis `RedisStreamBroker`: a consumer group, acknowledged after the run, re-delivered when a worker
dies before acknowledging: at least once) and the `worker` command runs them; server processes only enqueue.

Every process may run the scheduler: each scheduled occurrence has a deterministic key (job name, its target if
any, and UTC instant), and enqueueing first claims that key (Redis `SET NX` when Redis answers, then a unique row
through the recorder), so an occurrence is enqueued once however many schedulers see it. A delivery runs only
after the recorder moves its row from queued to running (a conditional update), so a message delivered twice
never runs a job twice.

The record of runs belongs to a domain (backend/domains/jobs installs its `Recorder`); core only knows the
interface. Schedules are cron expressions (minute hour day-of-month month day-of-week) read in an IANA time zone,
or a number of seconds (occurrences at multiples of it since the epoch). A job declared with `each=` (a function
returning {target id: IANA zone}, e.g. every community and its `timezone`) has one schedule per target: its cron
is read in that target's zone and the run gets the target's id as its argument.

Redis outages: the runner pauses and resumes; nothing is lost and nothing runs twice. The recorder's row is the
claim and the record of what must run; Redis is only the transport. While Redis does not answer:
- schedulers go on: each occurrence is claimed by its unique row alone (the database's unique key decides between
  processes, as `SET NX` would), recorded as not handed to the queue (`handed=False`); a run enqueued on demand is
  recorded the same way, and its caller hears that it was accepted;
- a run a worker already holds goes on (it needs the database only) and is recorded; its acknowledgement is
  dropped, so a Redis that kept its data re-delivers the message and the recorder refuses to start it again;
- workers do not fail: they reconnect with backoff and log the outage once (`RedisOutage`, part "jobs").
Once Redis answers, every process that schedules hands the waiting runs (of the jobs it declared) to the queue
(`redeliver`; a conditional update gives each run to one process) and, since a Redis restarted without its data
has lost its stream, also the runs handed over before the outage that never started. A run handed over twice is
harmless: only one delivery passes the recorder's start. A run nobody finished within LEASE (a dead worker, a
message lost otherwise) is handed over again the same way, also without Redis (a server that died mid-run).

Why pause rather than run jobs in the enqueuing process while Redis is down (the row would keep them unique as
well): the work would land on the API servers, sized for requests, exactly when the platform is degraded; a run
started there dies with that server's restart and waits out LEASE, while a paused run is only a row; and the
hand-over that resumes them is also what recovers the runs a restarted, empty Redis lost, which running in process
would not cover. The cost is delay: occurrences are claimed on time
(`scheduled_for` keeps their instant) and run once Redis is back, each once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker
from taskiq.api import run_receiver_task
from taskiq_redis import RedisStreamBroker

from backend.core.metrics import RedisOutage

log = logging.getLogger("courtyard.jobs")

DEFAULT_TIMEZONE = "Asia/Shanghai"  # of a job without targets; a target without a known zone uses its job's
QUEUE = "courtyard:jobs"
CLAIM_TTL = 7 * 24 * 3600
# A running row older than this is taken to belong to a dead worker; the stream re-delivers after the same time, and
# a run handed to the queue that nobody started within it is handed again. The longest a run may take.
LEASE = timedelta(minutes=15)
ERROR_LIMIT = 2000
# Seconds to connect to Redis, and for a claim or an enqueue to answer: an outage is noticed at once.
REDIS_CONNECT_TIMEOUT = 0.5
REDIS_TIMEOUT = 2.0
# A worker's delays between attempts to reach its stream again (doubled from the first to the last).
RECONNECT_FIRST, RECONNECT_LAST = 0.2, 5.0
# Seconds between routine looks at the record for runs to hand over again (left by a dead worker, lost messages);
# after a Redis outage the look is immediate, and every second while it lasts.
SWEEP_EVERY = LEASE.total_seconds()
SWEEP_BATCH = 200
TARGETS_EVERY = timedelta(seconds=60)  # how often a job's targets (communities and their zones) are read again
RETRY_SCHEDULING = timedelta(seconds=5)  # before a scheduler tries again an occurrence it could not claim
Schedule = str | int | None
Targets = Callable[[], Awaitable[Mapping[int, str]]]


def _retry_once() -> Retry:
    # One immediate retry for a pooled connection that died with a Redis restart; no backoff while it is down.
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError, RedisTimeoutError))


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
        return self.day_matches(local)

    def day_matches(self, local: datetime) -> bool:
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


@lru_cache(maxsize=256)
def _cron(text: str) -> Cron:
    return Cron.parse(text)


@lru_cache(maxsize=1024)
def known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this system knows."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError, TypeError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        return False
    return True


def next_fire(schedule: str | int, after: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The first occurrence strictly after `after` (UTC), the cron read as wall-clock time in `timezone`."""
    after = after.astimezone(UTC)
    if isinstance(schedule, int):
        if schedule <= 0:
            raise ValueError("an interval is a positive number of seconds")
        return datetime.fromtimestamp((int(after.timestamp()) // schedule + 1) * schedule, UTC)
    cron, zone = _cron(schedule), ZoneInfo(timezone)
    # Walk UTC minutes (so DST gaps and repeats resolve naturally), skipping the rest of a local hour that cannot
    # match: what is skipped is that hour or wall-clock time a DST change removed. Four years bound any valid one
    # (29 February).
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    end = t + timedelta(days=4 * 366)
    while t < end:
        local = t.astimezone(zone)
        # The hour a DST change repeats (fold 1: its second pass) fires only the first time, unless the cron runs
        # every hour anyway: a nightly job runs once that night, as cron does it.
        if cron.matches(local) and not (local.fold and len(cron.hours) < 24):
            return t
        hour_fits = local.hour in cron.hours and local.month in cron.months and cron.day_matches(local)
        t += timedelta(minutes=1 if hour_fits else 60 - local.minute)
    raise ValueError(f"cron {schedule!r} never fires")


@lru_cache(maxsize=256)
def latest_fire(schedule: str | int, first: datetime, now: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The last occurrence at or before `now`, `first` being one at or before it: the one a scheduler that slept
    through several runs catches up with (a real occurrence, so every process claims the same key)."""
    if isinstance(schedule, int):
        return max(first, datetime.fromtimestamp(int(now.timestamp()) // schedule * schedule, UTC))
    latest = first
    week_ago = now - timedelta(days=8)
    if week_ago > first:  # start from the first occurrence in the last week, if there is one
        recent = next_fire(schedule, week_ago, timezone)
        latest = recent if recent <= now else latest
    while (following := next_fire(schedule, latest, timezone)) <= now:
        latest = following
    return latest


def occurrence_key(slot: str, at: datetime) -> str:
    """The deterministic key of a scheduled occurrence of a slot (a job, or "job:target"): the same everywhere."""
    return f"{slot}@{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


# ------------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class JobSpec:
    """A declared job: what runs, when, and how failures are retried."""

    name: str
    fn: Callable[..., Awaitable[Any]]  # no argument; with `each`, the target's id
    schedule: Schedule | Callable[[], Schedule]
    timezone: str
    max_attempts: int
    backoff: float  # seconds before the second attempt; doubled for each later one
    max_backoff: float
    each: Targets | None = None  # one schedule per target, read in the target's zone

    def current_schedule(self) -> Schedule:
        """The schedule now (a callable schedule reads its settings when asked); None: only on demand."""
        return self.schedule() if callable(self.schedule) else self.schedule

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): exponential, capped."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)


JOBS: dict[str, JobSpec] = {}


def job(name: str, *, schedule: Schedule | Callable[[], Schedule] = None, timezone: str = DEFAULT_TIMEZONE,
        each: Targets | None = None, max_attempts: int = 3, backoff: float = 5.0,
        max_backoff: float = 300.0) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Declare a job (an async function), optionally on a cron or interval schedule.

    With `each` (an async function returning {target id: IANA zone}) the job runs once per target, at the cron's
    wall-clock time in that target's zone (`timezone` for a target whose zone is unknown), as `fn(target_id)`;
    e.g. `@job("billing.late_fees", schedule="0 2 * * *", each=community_zones)` runs at 02:00 in each community.
    """
    ZoneInfo(timezone)  # an unknown zone fails at import time, not at the first run
    if isinstance(schedule, str):
        Cron.parse(schedule)
    if len(name) > 100 or max_attempts < 1 or ":" in name or "@" in name or "#" in name:
        raise ValueError(f"job {name!r}: a name of at most 100 characters without : @ #, and at least one attempt")

    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        if name in JOBS and JOBS[name].fn is not fn:
            raise RuntimeError(f"job {name} declared twice")
        JOBS[name] = JobSpec(name, fn, schedule, timezone, max_attempts, backoff, max_backoff, each)
        return fn

    return register


@dataclass(frozen=True)
class Slot:
    """What a scheduler keeps one next instant for: a job, or a job with `each` for one of its targets."""

    name: str
    arg: int | None = None
    timezone: str | None = None  # the target's zone; None: the job's own

    @property
    def id(self) -> str:
        """The job's name, or "name:target"; the occurrence keys of the slot start with it."""
        return self.name if self.arg is None else f"{self.name}:{self.arg}"


# ------------------------------------------------------------------------------------------------- recorder


@dataclass(frozen=True)
class PendingRun:
    """A recorded run that is to be handed to the queue (again)."""

    name: str
    key: str
    arg: int | None


class Recorder(Protocol):
    """Where runs are recorded; also the claim that makes each occurrence run once, and the list of runs that wait
    for the queue (Redis) to take them."""

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None, arg: int | None = None,
                    handed: bool = True) -> bool:
        """Record a queued run under `key` (`handed`: its message is being put on the queue now; False: it waits
        for `pending`); False when the key exists already."""

    async def start(self, *, key: str, lease: timedelta) -> int | None:
        """Move the run from queued (or a running row older than `lease`) to running; the attempt number, or
        None when another delivery has it or it has finished."""

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        """Record the end of an attempt: succeeded, failed for good (`final`), or queued for a retry."""

    async def pending(self, *, names: Collection[str], stale_before: datetime, lost_before: datetime | None,
                      limit: int) -> list[PendingRun]:
        """Runs of the jobs `names` to hand to the queue, oldest first: queued and never handed over; queued, never
        started and handed over before `lost_before` (a Redis that restarted empty lost them); queued or running,
        and neither handed over nor started since `stale_before` (a dead worker, a lost message)."""

    async def hand_over(self, *, key: str, stale_before: datetime, lost_before: datetime | None) -> bool:
        """Mark a run `pending` listed as handed over now, if it still is pending (so one process hands it)."""

    async def not_handed(self, *, key: str) -> None:
        """Its message could not be put on the queue: the run waits for `pending`."""


class MemoryRecorder:
    """The fallback record, in memory, for a process that did not install the database one (backend/domains/jobs)."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None, arg: int | None = None,
                    handed: bool = True) -> bool:
        if key in self.runs:
            return False
        self.runs[key] = {"name": name, "arg": arg, "status": "queued", "attempts": 0, "error": "",
                          "enqueued_at": datetime.now(UTC) if handed else None, "started_at": None}
        return True

    async def start(self, *, key: str, lease: timedelta) -> int | None:
        run = self.runs.get(key)
        stale = (run is not None and run["status"] == "running"
                 and run["started_at"] < datetime.now(UTC) - lease)
        if run is None or (run["status"] != "queued" and not stale):
            return None
        run.update(status="running", attempts=run["attempts"] + 1, started_at=datetime.now(UTC))
        return int(run["attempts"])

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        self.runs[key].update(status="succeeded" if ok else "failed" if final else "queued", error=error,
                              duration_ms=duration_ms)

    def _pending(self, run: dict[str, Any], stale_before: datetime, lost_before: datetime | None) -> bool:
        handed, started = run["enqueued_at"], run["started_at"]
        if run["status"] == "queued" and handed is None:
            return True
        if lost_before is not None and run["status"] == "queued" and started is None and handed < lost_before:
            return True
        return (run["status"] in ("queued", "running") and (handed is None or handed < stale_before)
                and (started is None or started < stale_before))

    async def pending(self, *, names: Collection[str], stale_before: datetime, lost_before: datetime | None,
                      limit: int) -> list[PendingRun]:
        found = [PendingRun(run["name"], key, run["arg"]) for key, run in self.runs.items()
                 if run["name"] in names and self._pending(run, stale_before, lost_before)]
        return found[:limit]

    async def hand_over(self, *, key: str, stale_before: datetime, lost_before: datetime | None) -> bool:
        run = self.runs.get(key)
        if run is None or not self._pending(run, stale_before, lost_before):
            return False
        run["enqueued_at"] = datetime.now(UTC)
        return True

    async def not_handed(self, *, key: str) -> None:
        if key in self.runs and self.runs[key]["status"] == "queued":
            self.runs[key]["enqueued_at"] = None


_recorder: list[Recorder] = []


def set_recorder(recorder: Recorder) -> None:
    """Install the process's recorder (the jobs domain does, when imported)."""
    _recorder[:] = [recorder]


def get_recorder() -> Recorder:
    if not _recorder:
        _recorder.append(MemoryRecorder())
    return _recorder[0]


# --------------------------------------------------------------------------------------------------- broker


def _quiet(ack: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    async def acknowledge() -> None:
        # Redis gone after the run: the run is recorded; a Redis that kept the message delivers it again later,
        # and the recorder refuses to start a finished run.
        try:
            result = ack()
            if asyncio.iscoroutine(result):
                await result
        except RedisError as exc:
            log.debug("acknowledgement dropped: %s", exc)

    return acknowledge


class _StreamBroker(RedisStreamBroker):
    """taskiq-redis's stream broker that survives a Redis outage: its listener reconnects with backoff (and
    declares its consumer group again: a Redis restarted without its data has none) instead of raising, which
    would make taskiq's receiver retry at once, in a tight loop, for as long as Redis is down."""

    def __init__(self, url: str, *, on_back: Callable[[datetime], None], **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self._on_back = on_back  # told when Redis answers again, with when the listener first missed it
        self._down_since: datetime | None = None
        self.outage = RedisOutage(
            "jobs", log, down="Redis unreachable: the job worker pauses, runs wait in job_run; reconnecting",
            up="Redis answers again: the job worker resumes (%d reconnection attempts)")

    def _failed(self, exc: BaseException) -> None:
        self._down_since = self._down_since or datetime.now(UTC)
        self.outage.failed(exc)

    async def startup(self) -> None:
        try:
            await super().startup()
        except RedisError as exc:  # the listener declares the consumer group once Redis answers
            self._failed(exc)

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        while True:
            try:
                async for message in super().listen():
                    yield AckableMessage(data=message.data, ack=_quiet(message.ack))
            except RedisError as exc:
                self._failed(exc)
            await self._reconnect()

    async def _reconnect(self) -> None:
        delay = RECONNECT_FIRST
        while True:
            await asyncio.sleep(delay)
            try:
                async with Redis(connection_pool=self.connection_pool) as conn:
                    await conn.ping()
                await self._declare_consumer_group()
            except RedisError as exc:
                self._failed(exc)
                self.outage.missed += 1
                delay = min(delay * 2, RECONNECT_LAST)
                continue
            self.outage.answered()
            self._on_back(self._down_since or datetime.now(UTC))
            self._down_since = None
            return


# --------------------------------------------------------------------------------------------------- runner


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


class JobRunner:
    """The broker of this process, the scheduler, the hand-over of waiting runs, and the execution of a delivered
    job with its retries."""

    def __init__(self, *, redis_url: str | None = None, recorder: Recorder | None = None, queue: str = QUEUE,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, concurrency: int = 10,
                 sweep_every: float | None = SWEEP_EVERY) -> None:
        self.recorder = recorder
        self.claim_prefix = queue + ":claim:"
        self.redis: Redis | None = None
        self.broker: AsyncBroker
        self.outage = RedisOutage(
            "jobs", log, down="Redis unreachable: job runs are recorded in job_run and wait until it answers",
            up="Redis answers again: waiting job runs are handed to the queue (%d had to wait)")
        # Set when Redis answers after an outage to when it was first missed: runs handed over before then and
        # never started may have been lost with it, and are handed over again (those handed over since are not).
        self._lost_before: datetime | None = None
        self._down_since: datetime | None = None
        self._wake = asyncio.Event()
        self._running: set[str] = set()  # keys this process is executing (never handed over again from here)
        self._jobs: frozenset[str] | None = None  # the jobs declared when it started: the runs it hands over
        self._concurrency = concurrency
        self._sweep_every = sweep_every
        if redis_url:
            # Streams with a consumer group: a message is acknowledged after its run and handed to another worker
            # when it stays unacknowledged for LEASE (a list broker loses what a dying worker had popped).
            self.broker = _StreamBroker(
                redis_url, on_back=self._redis_back, queue_name=queue, consumer_group_name="courtyard-workers",
                consumer_id="0", idle_timeout=int(LEASE.total_seconds() * 1000), maxlen=100_000,
                unacknowledged_lock_timeout=30, socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
                socket_timeout=REDIS_TIMEOUT + 5, retry=_retry_once(),  # above the 2 s blocking read
            )
            self.redis = Redis.from_url(redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
                                        socket_timeout=REDIS_TIMEOUT, retry=_retry_once())
        else:
            self.broker = InMemoryBroker(max_async_tasks=concurrency, propagate_exceptions=False)
        self._sleep = sleep

        async def run_job(name: str, key: str, arg: int | None = None) -> None:  # taskiq renames what it registers
            await self.execute(name, key, arg)

        self._task = self.broker.register_task(run_job, task_name="courtyard.run_job")
        self._background: list[asyncio.Task[Any]] = []

    @property
    def _rec(self) -> Recorder:
        return self.recorder or get_recorder()

    # Redis, as this runner sees it

    def _redis_back(self, down_since: datetime) -> None:
        """Redis answers after an outage first seen at `down_since`: what was handed over before then may be
        gone with it; look now."""
        self._lost_before = min(self._lost_before or down_since, down_since)
        self.outage.retry_now()
        self._wake.set()

    def _redis_answered(self) -> None:
        if self._down_since is not None:
            self._redis_back(self._down_since)
            self._down_since = None
        self.outage.answered()

    def _redis_failed(self, exc: BaseException) -> None:
        self._down_since = self._down_since or datetime.now(UTC)
        self.outage.failed(exc)
        self._wake.set()  # the sweeper probes Redis every second until it answers

    async def _kick(self, name: str, key: str, arg: int | None) -> bool:
        """Put the run's message on the queue; False when the queue (Redis) cannot take it now."""
        try:
            await self._task.kicker().with_task_id(key).kiq(name, key, arg)
        except Exception as exc:
            if self.redis is None:
                raise
            self._redis_failed(exc.__cause__ or exc)  # taskiq wraps what Redis raised in SendTaskError
            self.outage.missed += 1
            return False
        if self.redis is not None:
            self._redis_answered()
        return True

    # enqueueing

    async def enqueue(self, name: str, *, key: str | None = None, scheduled_for: datetime | None = None,
                      arg: int | None = None) -> bool:
        """Queue a run of `name` once per key (a fresh key when none is given); False when the key was taken.

        True means the run is recorded and will run once: now, or (Redis down) once Redis answers again.
        """
        spec = JOBS.get(name)
        if spec is None:
            raise KeyError(f"unknown job {name}")
        if spec.each is not None and arg is None:
            raise ValueError(f"job {name} runs per target: give the target's id")
        key = key or f"{Slot(name, arg).id}#{uuid.uuid4().hex}"
        use_redis = self.redis is not None and self.outage.should_try()
        if use_redis:
            assert self.redis is not None
            try:
                won = await self.redis.set(self.claim_prefix + key, "1", nx=True, ex=CLAIM_TTL)
            except RedisError as exc:  # the row alone decides, as it does between processes anyway
                self._redis_failed(exc)
                use_redis = False
            else:
                self._redis_answered()
                if not won:
                    return False
        handed = self.redis is None or use_redis
        try:
            claimed = await self._rec.claim(name=name, key=key, scheduled_for=scheduled_for, arg=arg, handed=handed)
        except Exception:
            if use_redis:  # the record could not be written: let the next scheduler try again
                assert self.redis is not None
                with contextlib.suppress(RedisError):
                    await self.redis.delete(self.claim_prefix + key)
            raise
        if not claimed:
            return False
        if not handed:
            self.outage.missed += 1
        elif not await self._kick(name, key, arg):
            await self._rec.not_handed(key=key)
        return True

    async def redeliver(self) -> int:
        """Hand to the queue the runs that wait for it (recorded while Redis was down, lost with a Redis that
        restarted empty, or held by a worker that died); how many were handed over."""
        if self.redis is not None and self.outage.down:
            if not self.outage.should_try():
                return 0
            try:
                await self.redis.ping()
            except RedisError as exc:
                self._redis_failed(exc)
                return 0
            self._redis_answered()
        lost_before = self._lost_before
        stale_before = datetime.now(UTC) - LEASE
        handed = 0
        while True:
            batch = await self._rec.pending(names=self._jobs if self._jobs is not None else frozenset(JOBS),
                                            stale_before=stale_before, lost_before=lost_before, limit=SWEEP_BATCH)
            progressed = False
            for run in batch:
                if run.key in self._running:
                    continue
                if not await self._rec.hand_over(key=run.key, stale_before=stale_before, lost_before=lost_before):
                    progressed = True  # another process handed it over
                    continue
                progressed = True
                if not await self._kick(run.name, run.key, run.arg):
                    await self._rec.not_handed(key=run.key)
                    return handed
                handed += 1
            if len(batch) < SWEEP_BATCH or not progressed:
                break
        if self._lost_before == lost_before:
            self._lost_before = None
        if handed:
            log.info("handed %d waiting job run(s) to the queue", handed)
        return handed

    async def run_sweeper(self) -> None:
        """Until cancelled: `redeliver` at start and every `sweep_every` seconds (None: neither), every second
        while Redis is down, and at once when it answers again."""
        look = self._sweep_every is not None
        while True:
            self._wake.clear()
            if look:
                try:
                    await self.redeliver()
                except Exception:  # noqa: BLE001 - the database may be down too: the next look tries again
                    log.exception("could not look for job runs waiting for the queue")
            look = True
            with contextlib.suppress(TimeoutError):  # woken by Redis failing or answering again
                await asyncio.wait_for(self._wake.wait(), 1.0 if self.outage.down else self._sweep_every)

    # running

    async def execute(self, name: str, key: str, arg: int | None = None) -> None:
        """Run a delivered job: each attempt claimed from the record, failures retried with backoff."""
        spec = JOBS.get(name)
        attempt = await self._rec.start(key=key, lease=LEASE)
        if attempt is None:
            return
        self._running.add(key)
        try:
            while attempt is not None:
                started = time.perf_counter()
                try:
                    if spec is None:
                        raise LookupError(f"job {name} is not declared in this process")
                    await (spec.fn() if arg is None else spec.fn(arg))
                except Exception as exc:  # noqa: BLE001 - recorded, retried, and never allowed to kill the worker
                    final = spec is None or attempt >= spec.max_attempts
                    await self._rec.finish(key=key, ok=False, final=final, error=_error_text(exc),
                                           duration_ms=int((time.perf_counter() - started) * 1000))
                    if final:
                        log.error("job %s failed after %d attempt(s): %s", key, attempt, _error_text(exc))
                        return
                    assert spec is not None
                    log.warning("job %s attempt %d failed (%s); retrying in %.1f s", key, attempt,
                                type(exc).__name__, spec.delay(attempt))
                    await self._sleep(spec.delay(attempt))
                    attempt = await self._rec.start(key=key, lease=LEASE)
                    continue
                await self._rec.finish(key=key, ok=True, final=True, error="",
                                       duration_ms=int((time.perf_counter() - started) * 1000))
                return
        finally:
            self._running.discard(key)

    # scheduling

    async def schedule_due(self, due: dict[str, datetime], now: datetime, specs: dict[str, JobSpec] | None = None,
                           slots: Mapping[str, Slot] | None = None) -> bool:
        """Enqueue every occurrence in `due` (slot id -> next instant) that has come, and advance them; a slot id
        is a job's name unless `slots` says otherwise. False when an occurrence could not be claimed (it stays
        due and is tried again: its key makes that safe)."""
        specs = JOBS if specs is None else specs
        slots = slots or {}
        ok = True
        following: dict[tuple[str | int, str, datetime], datetime] = {}  # targets sharing a zone: one walk
        for sid, at in list(due.items()):
            slot = slots.get(sid) or Slot(sid)
            spec = specs.get(slot.name)
            schedule = spec.current_schedule() if spec is not None else None
            if spec is None or schedule is None:
                del due[sid]
                continue
            if at > now:
                continue
            zone = slot.timezone or spec.timezone
            if now - at > timedelta(hours=1):  # asleep for long (a suspended laptop): skip to the latest one
                at = latest_fire(schedule, at, now, zone)
            key = occurrence_key(sid, at)
            try:
                if await self.enqueue(slot.name, key=key, scheduled_for=at, arg=slot.arg):
                    log.info("scheduled %s", key)
            except Exception:  # noqa: BLE001 - the database may be down: the same occurrence is tried again
                log.exception("could not enqueue %s", key)
                ok = False
                continue
            if (schedule, zone, at) not in following:
                following[(schedule, zone, at)] = next_fire(schedule, at, zone)
            due[sid] = following[(schedule, zone, at)]
        return ok

    async def run_scheduler(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """Until cancelled: enqueue each scheduled job's occurrences as they come (from now on)."""
        scheduler = Scheduler(self)  # the jobs declared when the process started (their modules are imported)
        while True:
            try:
                wake = await scheduler.tick(clock())
            except Exception:  # noqa: BLE001 - a schedule that cannot be read now is read again shortly
                log.exception("the job scheduler failed; trying again")
                wake = clock() + RETRY_SCHEDULING
            await asyncio.sleep(max(0.05, min((wake - clock()).total_seconds(), 30.0)))

    # the process

    async def start(self, *, work: bool, schedule: bool = True) -> None:
        """Start the broker; run the jobs themselves here when `work` (the worker side with Redis), and, when
        `schedule`, the scheduler and the hand-over of waiting runs."""
        self._jobs = frozenset(JOBS)
        if work and not isinstance(self.broker, InMemoryBroker):
            self.broker.is_worker_process = True
        await self.broker.startup()
        if work and not isinstance(self.broker, InMemoryBroker):
            self._background.append(asyncio.create_task(
                run_receiver_task(self.broker, max_async_tasks=self._concurrency)))
        if schedule:
            self._background.append(asyncio.create_task(self.run_scheduler()))
            self._background.append(asyncio.create_task(self.run_sweeper()))

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
            # the record, and a process that schedules hands it over again after LEASE.
            running = list(self.broker._running_tasks)
            if running:
                _, late = await asyncio.wait(running, timeout=10)
                for task in late:
                    task.cancel()
        await self.broker.shutdown()
        if self.redis is not None:
            await self.redis.aclose()


class Scheduler:
    """One process's schedules: a slot per scheduled job, and per target of a job declared with `each` (read again
    every TARGETS_EVERY, so a new community or a changed zone is picked up), each with its next instant."""

    def __init__(self, runner: JobRunner, specs: dict[str, JobSpec] | None = None) -> None:
        self.runner = runner
        self.specs = dict(JOBS) if specs is None else specs
        self.slots: dict[str, Slot] = {}
        self.due: dict[str, datetime] = {}
        self._targets_read: dict[str, datetime] = {}

    async def _read_targets(self, now: datetime) -> None:
        for name, spec in self.specs.items():
            if spec.each is None:
                self.slots.setdefault(name, Slot(name))
                continue
            read = self._targets_read.get(name)
            if read is not None and read <= now < read + TARGETS_EVERY:
                continue
            self._targets_read[name] = now
            try:
                targets = await spec.each()
            except Exception:  # noqa: BLE001 - keep the targets read before; try again later
                log.exception("could not read the targets of job %s", name)
                continue
            fresh = {}
            for arg, zone in targets.items():
                slot = Slot(name, int(arg), zone if zone and known_zone(zone) else spec.timezone)
                fresh[slot.id] = slot
            for sid in [sid for sid, slot in self.slots.items() if slot.name == name and sid not in fresh]:
                del self.slots[sid]
                self.due.pop(sid, None)
            for sid, slot in fresh.items():
                if self.slots.get(sid) != slot:  # new, or its zone changed: its next instant is found again
                    self.slots[sid] = slot
                    self.due.pop(sid, None)

    async def tick(self, now: datetime) -> datetime:
        """Read targets when it is time, enqueue what has come; when to look again."""
        await self._read_targets(now)
        found: dict[tuple[str | int, str], datetime] = {}  # many targets share a zone: one walk each
        for sid, slot in self.slots.items():
            spec = self.specs.get(slot.name)
            schedule = spec.current_schedule() if spec is not None else None
            if spec is not None and schedule is not None and sid not in self.due:
                zone = slot.timezone or spec.timezone
                if (schedule, zone) not in found:
                    found[(schedule, zone)] = next_fire(schedule, now, zone)
                self.due[sid] = found[(schedule, zone)]
        ok = await self.runner.schedule_due(self.due, now, self.specs, self.slots)
        wake = min(self.due.values(), default=now + timedelta(seconds=30))
        if any(spec.each is not None for spec in self.specs.values()):
            wake = min(wake, min(self._targets_read.values(), default=now) + TARGETS_EVERY)
        return wake if ok else max(wake, now + RETRY_SCHEDULING)
