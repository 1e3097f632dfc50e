"""Thin mutation resolvers: upload a sheet for preview, commit a previewed import."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id, encode_id
from backend.core.permissions import community_scope, require_user
from backend.domains.imports import models, service
from backend.domains.imports.queries import job_for
from backend.domains.imports.sheets import MAX_FILE_BYTES
from backend.domains.imports.types import (
    ImportError_,
    ImportJob,
    ImportJobPayload,
    ImportKind,
    ImportPreviewPayload,
)


async def _read(file: Any) -> tuple[bytes, str]:
    """The uploaded bytes (at most the limit plus one, to tell a too-large file) and the file name."""
    if not hasattr(file, "read"):
        raise DomainError(Codes.REQUIRED, "Attach the file as a multipart upload", "file")
    data = await file.read(MAX_FILE_BYTES + 1)
    return data, str(getattr(file, "filename", "") or "")


async def _sheet(info: Info, kind: models.ImportKind, file: Any) -> service.Sheet:
    """The upload read and checked, for a caller who may import this kind (nobody else gets a file parsed)."""
    company_id, scope = community_scope(info.context, service.PERMS[kind])
    data, name = await _read(file)
    return await service.check_sheet(kind=kind, data=data, file_name=name, company_id=company_id, communities=scope)


def _done(job: models.ImportJob, **summary: Any) -> dict[str, Any]:
    gid = encode_id("ImportJob", job.id)
    return {"job": ImportJob.from_model(job), "_audit": {"target_type": "ImportJob", "target_id": gid,
                                                          "summary": {"kind": job.kind.value, **summary}}}


@strawberry.type
class ImportsMutation:
    @strawberry.mutation(description="Upload an .xlsx of buildings, units or owners: checks every row and keeps "
                                     "them for review (multipart request with the x-courtyard-csrf header).")
    async def import_preview(self, info: Info, kind: ImportKind, file: Upload) -> ImportPreviewPayload:
        # Read and checked before run_mutation opens its transaction: on SQLite that transaction holds the only
        # connection, and a second of parsing inside it stalls every other request.
        try:
            sheet: service.Sheet | DomainError = await _sheet(info, models.ImportKind(kind), file)
        except DomainError as exc:
            sheet = exc

        async def run() -> dict[str, Any]:
            if isinstance(sheet, DomainError):
                raise sheet
            job = await service.preview(sheet=sheet, user_id=require_user(info.context))
            return _done(job, file=job.file_name, rows=job.total_rows, errors=job.error_count)

        return await run_mutation(info, ImportPreviewPayload, ImportError_, run, audit="import.preview")

    @strawberry.mutation(description="Import every row of an error-free previewed job in one transaction; "
                                     "committing a finished job again returns it unchanged.")
    async def import_commit(self, info: Info, job_id: strawberry.ID) -> ImportJobPayload:
        async def run() -> dict[str, Any]:
            job = await job_for(info.context, decode_id(job_id, "ImportJob", "jobId"))
            _, scope = community_scope(info.context, service.PERMS[job.kind])
            job = await service.commit(job=job, communities=scope, user_id=require_user(info.context))
            return _done(job, rows=job.total_rows, status=job.status.value)

        return await run_mutation(info, ImportJobPayload, ImportError_, run, audit="import.commit")
