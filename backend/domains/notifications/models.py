"""Notifications: an in-app inbox message for one person, in Chinese and English."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# One message in a person's inbox, e.g. "your repair was accepted"; target names the object it is about.
class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )
    company_id: int | None
    kind = fields.CharField(max_length=40)
    title = fields.CharField(max_length=100)
    title_en = fields.CharField(max_length=100, default="")
    body = fields.CharField(max_length=500, default="")
    body_en = fields.CharField(max_length=500, default="")
    target_type = fields.CharField(max_length=40, default="")
    target_id = fields.BigIntField(null=True)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification"
        indexes = (("user_id", "read_at"),)
