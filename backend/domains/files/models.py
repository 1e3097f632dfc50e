"""Files: one uploaded photo or video, its stored blob and what it was attached to."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class FileKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class UploadPurpose(StrEnum):
    TICKET_PHOTO = "ticket_photo"
    TICKET_VIDEO = "ticket_video"
    TICKET_WORK_PHOTO = "ticket_work_photo"
    AVATAR = "avatar"


# An owner's upload has no company until a domain claims it for one of its objects (claim_files sets it);
# a staff upload belongs to the caller's company from the start.
class Upload(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="uploads", null=True, on_delete=fields.RESTRICT
    )
    company_id: int | None
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="uploads", on_delete=fields.RESTRICT
    )
    owner_id: int
    key = fields.CharField(max_length=160, unique=True)
    content_type = fields.CharField(max_length=64)
    size = fields.IntField()
    kind = fields.CharEnumField(FileKind, max_length=8)
    purpose = fields.CharEnumField(UploadPurpose, max_length=32)
    attached_to = fields.CharField(max_length=64, null=True)
    attached_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "file_upload"
        indexes = (("owner_id", "created_at"), ("attached_to",))
