"""Auth: refresh-token sessions (rotated, revocable by family) and SMS codes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# A login session: one refresh-token family. Access tokens name it in `sid`.
class Session(Model):
    id = fields.CharField(max_length=32, primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    company: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Company", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    company_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoke_reason = fields.CharField(max_length=32, default="")
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=255, default="")

    class Meta:
        table = "auth_session"


# One single-use refresh token of a session; stored as a hash.
class RefreshToken(Model):
    id = fields.BigIntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "models.Session", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    session_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_refresh_token"


# A one-time code sent by SMS: lives 5 minutes, burns after 5 wrong tries.
class SmsCode(Model):
    id = fields.BigIntField(primary_key=True)
    phone_hash = fields.CharField(max_length=64, db_index=True)
    purpose = fields.CharField(max_length=16)
    code_hash = fields.CharField(max_length=64)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    consumed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_sms_code"
