"""Audit log: who did what, when, with a summary of the change."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


# One staff mutation. Company is null for platform-level actions.
class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="audit_logs", null=True, on_delete=fields.CASCADE
    )
    company_id: int | None
    # The community the target belongs to (null for company-wide targets): scoped audit.read sees its own.
    community: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Community", related_name="audit_logs", null=True, on_delete=fields.SET_NULL
    )
    community_id: int | None
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="audit_logs", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=40, default="")
    target_id = fields.CharField(max_length=64, default="")
    summary: dict[str, Any] = fields.JSONField(default=dict)
    request_id = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_log"
        indexes = (("company_id", "created_at"), ("company_id", "action"))
