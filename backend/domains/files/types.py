"""GraphQL types of files: the stored file node, its kind and purpose, the upload payload."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from backend.core.gql import Node, PayloadError, error_type
from backend.core.storage import signed_url
from backend.domains.files import models
from backend.domains.files.errors import FileCode
from backend.domains.files.models import FileKind, UploadPurpose

strawberry.enum(FileKind, description="What an uploaded file holds, as read from its content.")
strawberry.enum(UploadPurpose, description=(
    "What an upload is for: TICKET_PHOTO and TICKET_VIDEO for a repair request (anyone signed in), "
    "TICKET_WORK_PHOTO for a technician's photos of the work (staff)."))


@error_type("File", FileCode)
class FileError(PayloadError):
    pass


@strawberry.type(description="An uploaded photo or video; seen by its uploader and by staff of the company it "
                             "belongs to (an owner's upload belongs to a company once attached to a ticket).")
class StoredFile(Node):
    content_type: str = strawberry.field(description="Media type read from the content (image/jpeg, video/mp4, ...).")
    size: int = strawberry.field(description="Size in bytes.")
    kind: FileKind = strawberry.field(description="Image or video.")
    purpose: UploadPurpose = strawberry.field(description="What it was uploaded for.")
    attached: bool = strawberry.field(description="Whether an object (a ticket, ...) has claimed it.")
    created_at: datetime = strawberry.field(description="When it was uploaded (UTC).")
    url: str = strawberry.field(description="Signed URL to read the file (relative to the API origin); it expires "
                                            "after about 15 minutes, so fetch the object again for a fresh one.")
    url_expires_at: datetime = strawberry.field(description="When `url` stops working (UTC).")
    _owner_id: strawberry.Private[int]
    _company_id: strawberry.Private[int | None]
    _attached_to: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, m: models.Upload) -> StoredFile:
        url, exp = signed_url(m.key)
        return cls(_pk=m.id, content_type=m.content_type, size=m.size, kind=m.kind, purpose=m.purpose,
                   attached=m.attached_to is not None, created_at=m.created_at, url=url,
                   url_expires_at=datetime.fromtimestamp(exp, UTC), _owner_id=m.owner_id,
                   _company_id=m.company_id, _attached_to=m.attached_to)


@strawberry.type(description="Result of uploading a file.")
class FileUploadPayload:
    file: StoredFile | None = strawberry.field(description="The stored file, when it was accepted.")
    errors: list[FileError] = strawberry.field(description="Why it was refused.")
