"""Thin mutation resolvers: upload a photo or video (GraphQL multipart request)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, run_mutation
from backend.core.permissions import require_user
from backend.domains.files import models, service
from backend.domains.files.types import FileError, FileUploadPayload, StoredFile, UploadPurpose

CHUNK = 256 * 1024


async def read_upload(file: Any, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of an uploaded file, counted while reading, and whether more were left."""
    if not hasattr(file, "read"):
        raise DomainError(Codes.REQUIRED, "Attach the file as a multipart upload", "file")
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = await file.read(min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    data = b"".join(parts)
    return data[:limit], total > limit


@strawberry.type
class FilesMutation:
    @strawberry.mutation(description="Upload one photo (JPEG, PNG, WebP or HEIC, at most 10 MB) or video (MP4 or "
                                     "MOV, at most 50 MB) as a GraphQL multipart request with the x-courtyard-csrf "
                                     "header; then attach it by its ID to the object it is for (e.g. ticketCreate). "
                                     "Files nobody attaches within a day may be deleted.")
    async def file_upload(self, info: Info, file: Upload, purpose: UploadPurpose) -> FileUploadPayload:
        async def run() -> dict[str, Any]:
            user_id = require_user(info.context)
            assert info.context.principal is not None
            p = models.UploadPurpose(purpose)
            data, truncated = await read_upload(file, service.read_limit(p))
            stored = await service.store(data=data, truncated=truncated, purpose=p, user_id=user_id,
                                         company_id=info.context.principal.company_id)
            return {"file": StoredFile.from_model(stored)}

        return await run_mutation(info, FileUploadPayload, FileError, run)
