"""A third-party app's trusted document: the text a platform administrator registered for it, by its SHA-256 id."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TrustedDocument(Model):
    id = fields.BigIntField(primary_key=True)
    app = fields.CharField(max_length=64)  # the app's name, e.g. wechat-miniprogram
    document_id = fields.CharField(max_length=71)  # "sha256:" + the hex SHA-256 of body
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    withdrawn_at = fields.DatetimeField(null=True)  # null while it may be run

    class Meta:
        table = "trusted_document"
        unique_together = (("app", "document_id"),)
        indexes = (("document_id", "withdrawn_at"),)
