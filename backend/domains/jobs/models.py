"""Job runs: one row per run of a background or scheduled job; its unique key is the claim of that run."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class JobRunStatus(StrEnum):
    QUEUED = "queued"  # claimed and enqueued, or waiting out a retry's backoff
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt failed


class JobRun(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100)
    # "<job>@<UTC instant>" for a scheduled occurrence (the same in every process), "<job>#<uuid>" on demand.
    occurrence_key = fields.CharField(max_length=160, unique=True)
    status = fields.CharEnumField(JobRunStatus, max_length=16, default=JobRunStatus.QUEUED)
    # The job's argument: the target's id for a job run per community (core.jobs `each`); null without one.
    arg = fields.BigIntField(null=True)
    attempts = fields.SmallIntField(default=0)
    scheduled_for = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When its message was last put on the queue; null while it waits for Redis to answer (core.jobs hands it over).
    enqueued_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    duration_ms = fields.IntField(null=True)
    error = fields.TextField(default="")  # the last attempt's error, truncated

    class Meta:
        table = "job_run"
        indexes = (("name", "created_at"), ("status", "created_at"))
