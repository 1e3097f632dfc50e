"""Imports: an uploaded spreadsheet, its validated rows and where committing them stands."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ImportKind(StrEnum):
    BUILDINGS = "buildings"
    UNITS = "units"
    OWNERS = "owners"


class ImportStatus(StrEnum):
    PREVIEWED = "previewed"
    COMMITTING = "committing"
    DONE = "done"
    FAILED = "failed"


# One upload: rows as parsed, stored as validate.SheetRow.to_json ({"n", "v", "e", "p"}: number, values, errors,
# private data for the commit).
class ImportJob(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="import_jobs", on_delete=fields.RESTRICT
    )
    company_id: int
    kind = fields.CharEnumField(ImportKind, max_length=16)
    status = fields.CharEnumField(ImportStatus, max_length=16, default=ImportStatus.PREVIEWED)
    file_name = fields.CharField(max_length=255, default="")
    total_rows = fields.IntField(default=0)
    valid_rows = fields.IntField(default=0)
    error_count = fields.IntField(default=0)
    processed = fields.IntField(default=0)
    rows: fields.Field[Any] = fields.JSONField(default=list)
    failure = fields.CharField(max_length=200, default="")
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="import_jobs", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_job"
        indexes = (("company_id", "created_at"),)
