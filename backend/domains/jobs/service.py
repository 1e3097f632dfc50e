"""Job runs: the database record of core.jobs (the unique row that claims a run, its attempts and outcome) and
the figures platform admins read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max

from backend.core import jobs
from backend.domains.jobs.models import JobRun, JobRunStatus


def _now() -> datetime:
    return datetime.now(UTC)


class DatabaseRecorder:
    """core.jobs' Recorder over the job_run table: the unique occurrence key is the claim."""

    async def claim(self, *, name: str, key: str, scheduled_for: datetime | None) -> bool:
        """Insert the queued run; False when another process claimed the key first."""
        try:
            await JobRun.create(name=name, occurrence_key=key, scheduled_for=scheduled_for)
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
        taken = await JobRun.filter(id=row.id, status=row.status, attempts=row.attempts).update(status=JobRunStatus.RUNNING, attempts=row.attempts + 1, started_at=_now(), finished_at=None)
        return row.attempts + 1 if taken else None

    async def finish(self, *, key: str, ok: bool, final: bool, error: str, duration_ms: int) -> None:
        """Record the end of an attempt."""
        status = JobRunStatus.SUCCEEDED if ok else JobRunStatus.FAILED if final else JobRunStatus.QUEUED
        await JobRun.filter(occurrence_key=key, status=JobRunStatus.RUNNING).update(
            status=status, error=error[:jobs.ERROR_LIMIT], duration_ms=duration_ms,
            finished_at=_now() if final else None,
        )


jobs.set_recorder(DatabaseRecorder())


@dataclass
class JobSummary:
    """A declared job with its latest run and recent failures."""

    spec: jobs.JobSpec
    last: JobRun | None
    failures_24h: int


def schedule_text(spec: jobs.JobSpec) -> str | None:
    """The schedule as shown: a cron expression, "every N s", or None (only on demand)."""
    schedule = spec.current_schedule()
    return None if schedule is None else schedule if isinstance(schedule, str) else f"every {schedule} s"


async def job_summaries(*, runs: Any) -> list[JobSummary]:
    """Every declared job, by name, with its latest run and failures in the last 24 h (three statements)."""
    names = sorted(jobs.JOBS)
    latest = await runs.filter(name__in=names).annotate(last=Max("id")).group_by("name").values("name", "last")
    rows = {r.name: r for r in await runs.filter(id__in=[r["last"] for r in latest])} if latest else {}
    failed = await (runs.filter(name__in=names, status=JobRunStatus.FAILED, finished_at__gte=_now() - timedelta(hours=24))
                    .annotate(n=Count("id")).group_by("name").values("name", "n"))
    failures = {r["name"]: r["n"] for r in failed}
    return [JobSummary(jobs.JOBS[n], rows.get(n), int(failures.get(n, 0))) for n in names]
