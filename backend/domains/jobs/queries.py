"""Thin resolvers for job runs and declared jobs: platform administrators only (access.job_runs)."""

from __future__ import annotations

import strawberry

from backend.core.errors import Codes, DomainError
from backend.core.gql import Info
from backend.core.pagination import Connection, paginate
from backend.domains.jobs import service
from backend.domains.jobs.access import job_runs
from backend.domains.jobs.types import Job, JobRun, JobRunStatus


@strawberry.type
class JobsQuery:
    @strawberry.field(description="Runs of background and scheduled jobs, newest first (platform).")
    async def job_runs(
        self, info: Info, first: int | None = 20, after: str | None = None, name: str | None = None,
        status: JobRunStatus | None = None,
    ) -> Connection[JobRun]:
        qs = job_runs(info.context)
        if name is not None:
            if len(name) > 100:
                raise DomainError(Codes.TOO_LONG, "At most 100 characters", "name")
            qs = qs.filter(name=name)
        if status is not None:
            qs = qs.filter(status=status)
        return await paginate(qs, first=first, after=after, to_node=JobRun.from_model, descending=True)

    @strawberry.field(description="Declared jobs with their schedule, latest run and recent failures (platform).")
    async def jobs(self, info: Info) -> list[Job]:
        summaries = await service.job_summaries(runs=job_runs(info.context))
        return [
            Job(name=s.spec.name, schedule=service.schedule_text(s.spec), timezone=s.spec.timezone,
                max_attempts=s.spec.max_attempts, last_run=JobRun.from_model(s.last) if s.last else None,
                last_status=s.last.status if s.last else None,
                last_duration_ms=s.last.duration_ms if s.last else None, failures_last_24h=s.failures_24h)
            for s in summaries
        ]
