"""GraphQL types of job runs and declared jobs (platform administrators only)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.domains.jobs import models
from backend.domains.jobs.models import JobRunStatus

strawberry.enum(JobRunStatus, description="Where a job run stands.")


@strawberry.type(description="One run of a background or scheduled job.")
class JobRun:
    name: str = strawberry.field(description="The job, e.g. maintenance.purge.")
    occurrence_key: str = strawberry.field(
        description="Unique key of the run: job@UTC instant for a scheduled occurrence, job#id on demand.")
    status: JobRunStatus = strawberry.field(description="Queued, running, succeeded or failed.")
    attempts: int = strawberry.field(description="Attempts made so far (failed attempts are retried with backoff).")
    scheduled_for: datetime | None = strawberry.field(description="The scheduled instant (UTC); null on demand.")
    created_at: datetime = strawberry.field(description="When it was queued (UTC).")
    started_at: datetime | None = strawberry.field(description="When the latest attempt started (UTC).")
    finished_at: datetime | None = strawberry.field(description="When it ended for good (UTC).")
    duration_ms: int | None = strawberry.field(description="How long the latest attempt took, in milliseconds.")
    error: str = strawberry.field(description="The latest attempt's error (truncated); empty when none.")
    _pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.JobRun) -> JobRun:
        return cls(
            _pk=m.id, name=m.name, occurrence_key=m.occurrence_key, status=m.status, attempts=m.attempts,
            scheduled_for=m.scheduled_for, created_at=m.created_at, started_at=m.started_at,
            finished_at=m.finished_at, duration_ms=m.duration_ms, error=m.error,
        )


@strawberry.type(description="A declared job: its schedule and how its recent runs went.")
class Job:
    name: str = strawberry.field(description="The job's name.")
    schedule: str | None = strawberry.field(
        description="Cron expression (in `timezone`) or `every N s`; null when it only runs on demand.")
    timezone: str = strawberry.field(description="IANA time zone the cron expression is read in.")
    max_attempts: int = strawberry.field(description="Attempts before a run is failed.")
    last_run: JobRun | None = strawberry.field(description="The latest run, if any.")
    last_status: JobRunStatus | None = strawberry.field(description="The latest run's status.")
    last_duration_ms: int | None = strawberry.field(description="The latest run's duration in milliseconds.")
    failures_last_24h: int = strawberry.field(description="Runs that failed for good in the last 24 hours.")
