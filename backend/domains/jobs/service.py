"""Job runs: the database record of core.jobs (the unique row that claims a run, its attempts and outcome, and
whether it reached the queue), the figures platform admins read, their trimming, and the targets of jobs that run
per community."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Max

from backend.core import jobs
from backend.core.orm import column
from backend.domains.jobs.models import JobRun, JobRunStatus
from backend.domains.tenancy.models import Community

# Runs kept per job whatever their age, so a job that runs monthly still shows its last runs and durations.
KEEP_PER_JOB = 20
TRIM_BATCH = 1000
FINISHED = (JobRunStatus.SUCCEEDED, JobRunStatus.FAILED)


def _now() -> datetime:
    return datetime.now(UTC)


def _pending(stale_before: datetime, lost_before: datetime | None) -> Q:
    """core.jobs.Recorder.pending's rule as a filter."""
    waiting = Q(status=JobRunStatus.QUEUED, enqueued_at__isnull=True)
    stale = (Q(status__in=[JobRunStatus.QUEUED, JobRunStatus.RUNNING])
             & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale_before))
             & (Q(started_at__isnull=True) | Q(started_at__lt=stale_before)))
    rule = waiting | stale
    if lost_before is not None:
        rule |= Q(status=JobRunStatus.QUEUED, started_at__isnull=True, enqueued_at__lt=lost_before)
    return rule


class DatabaseRecorder:
    """core.jobs' Recorder over the job_run table: the unique occurrence key is the claim."""

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None, arg: int | None = None,
                    handed: bool = True) -> bool:
        """Insert the queued run; False when another process claimed the key first."""
        try:
            await JobRun.create(name=name, occurrence_key=key, scheduled_for=scheduled_for, arg=arg,
                                enqueued_at=_now() if handed else None)
        except IntegrityError:
            return False
        return True

    async def start(self, *, key: str, lease: timedelta) -> int | None:
        """Take the run for one attempt (a conditional update, so one delivery wins); its attempt number."""
        row = await JobRun.get_or_none(occurrence_key=key)
        if row is None:
            return None
        stale = (row.status == JobRunStatus.RUNNING and row.started_at is not None
                 and row.started_at < _now() - lease)
        if row.status != JobRunStatus.QUEUED and not stale:
            return None
        taken = await JobRun.filter(id=row.id, status=row.status, attempts=row.attempts).update(
            status=JobRunStatus.RUNNING, attempts=row.attempts + 1, started_at=_now(), finished_at=None)
        return row.attempts + 1 if taken else None

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        """Record the end of an attempt."""
        status = JobRunStatus.SUCCEEDED if ok else JobRunStatus.FAILED if final else JobRunStatus.QUEUED
        await JobRun.filter(occurrence_key=key, status=JobRunStatus.RUNNING).update(
            status=status, error=error[:jobs.ERROR_LIMIT], duration_ms=duration_ms,
            finished_at=_now() if final else None,
        )

    async def pending(self, *, names: Collection[str], stale_before: datetime, lost_before: datetime | None,
                      limit: int) -> list[jobs.PendingRun]:
        """Runs to hand to the queue, oldest first (core.jobs.Recorder.pending)."""
        rows = await (JobRun.filter(_pending(stale_before, lost_before), name__in=sorted(names))
                      .order_by("id").limit(limit)
                      .values("name", "occurrence_key", "arg"))
        return [jobs.PendingRun(r["name"], r["occurrence_key"], r["arg"]) for r in rows]

    async def hand_over(self, *, key: str, stale_before: datetime, lost_before: datetime | None) -> bool:
        """Mark the run handed over now if it is still pending (a conditional update: one process wins)."""
        return bool(await JobRun.filter(_pending(stale_before, lost_before), occurrence_key=key).update(
            enqueued_at=_now()))

    async def not_handed(self, *, key: str) -> None:
        """The queue did not take its message: it waits to be handed over."""
        await JobRun.filter(occurrence_key=key, status=JobRunStatus.QUEUED).update(enqueued_at=None)


jobs.set_recorder(DatabaseRecorder())


async def community_zones() -> Mapping[int, str]:
    """Every community's id and IANA time zone: the targets of a job that runs per community (`each=`)."""
    return dict(await Community.all().values_list("id", "timezone"))


async def trim_runs(*, older_than: datetime, keep: int = KEEP_PER_JOB) -> int:
    """Delete finished runs created before `older_than`, except each job's newest `keep`; how many went.

    Queued and running rows stay (they are the claims of runs in flight). An old occurrence's key becomes free
    again, which is safe: a scheduler claims occurrences from its own start on (after a long sleep it catches up
    with the latest one only), retention is at least a day, and each job's newest runs stay.
    """
    removed = 0
    for name in await column(JobRun.all().distinct().order_by("name"), "name"):
        # The newest row beyond the `keep` newest: it and everything older may go.
        beyond = await column(JobRun.filter(name=name).order_by("-id").offset(keep).limit(1), "id")
        if not beyond:
            continue
        while True:
            ids = await column(JobRun.filter(name=name, id__lte=beyond[0], status__in=list(FINISHED),
                                             created_at__lt=older_than).order_by("id").limit(TRIM_BATCH), "id")
            if ids:
                removed += await JobRun.filter(id__in=ids).delete()
            if len(ids) < TRIM_BATCH:
                break
    return removed


@dataclass
class JobSummary:
    """A declared job with its latest run and recent failures."""

    spec: jobs.JobSpec
    last: JobRun | None
    failures_24h: int


def schedule_text(spec: jobs.JobSpec) -> str | None:
    """The schedule as shown: a cron expression, "every N s", or None (only on demand); a job run per target
    (community) says so, its cron being read in each one's zone rather than in `timezone`."""
    schedule = spec.current_schedule()
    if schedule is None:
        return None
    text = schedule if isinstance(schedule, str) else f"every {schedule} s"
    return text if spec.each is None else f"{text} per community, in its time zone"


async def job_summaries(*, runs: Any) -> list[JobSummary]:
    """Every declared job, by name, with its latest run and failures in the last 24 h (three statements)."""
    names = sorted(jobs.JOBS)
    latest = await runs.filter(name__in=names).annotate(last=Max("id")).group_by("name").values("name", "last")
    rows = {r.name: r for r in await runs.filter(id__in=[r["last"] for r in latest])} if latest else {}
    failed = await (runs.filter(name__in=names, status=JobRunStatus.FAILED, finished_at__gte=_now() - timedelta(hours=24))
                    .annotate(n=Count("id")).group_by("name").values("name", "n"))
    failures = {r["name"]: r["n"] for r in failed}
    return [JobSummary(jobs.JOBS[n], rows.get(n), int(failures.get(n, 0))) for n in names]
