"""Live progress of an import commit: the job as it is now, then again on every progress event."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from backend.core.ids import decode_id
from backend.core.runtime import get_runtime
from backend.domains.imports import models
from backend.domains.imports.queries import job_for
from backend.domains.imports.service import LIGHT_FIELDS, channel
from backend.domains.imports.types import ImportJob

TERMINAL = {models.ImportStatus.DONE.value, models.ImportStatus.FAILED.value}


@strawberry.type
class ImportsSubscription:
    @strawberry.subscription(description="An import job now, then on every progress change until it is done or "
                                         "failed; refetch with node(id:) after reconnecting.")
    async def import_progress(self, info: Info, job_id: strawberry.ID) -> AsyncGenerator[ImportJob, None]:
        ctx = info.context
        pk = decode_id(job_id, "ImportJob", "jobId")
        await job_for(ctx, pk)  # refuses foreign or unknown jobs before subscribing
        async with get_runtime().broker.subscribe(channel(pk)) as events:
            # Subscribed first, read second: no event can fall between the two.
            job = await models.ImportJob.filter(id=pk).only(*LIGHT_FIELDS).first()
            if job is None:
                return
            yield ImportJob.from_model(job)
            if job.status.value in TERMINAL:
                return
            async for event in events:
                status = event.get("status")
                if status == models.ImportStatus.COMMITTING.value:
                    # Progress comes from the event alone: on SQLite the open transaction holds the only connection.
                    job.status = models.ImportStatus.COMMITTING
                    job.processed = max(job.processed, int(event.get("processed", 0)))
                    yield ImportJob.from_model(job)
                    continue
                await ctx.refresh_principal()  # a revoked session or lost role ends the stream
                ctx.reset_loaders()
                await job_for(ctx, pk)
                job = await models.ImportJob.filter(id=pk).only(*LIGHT_FIELDS).first()
                if job is None:
                    return
                yield ImportJob.from_model(job)
                if job.status.value in TERMINAL or job.status == models.ImportStatus.PREVIEWED:
                    return
