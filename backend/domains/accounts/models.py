"""Accounts: users (owners and staff alike), role templates and staff memberships."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


# A person. The phone is stored encrypted and found through a keyed hash.
class User(Model):
    id = fields.BigIntField(primary_key=True)
    phone_enc = fields.CharField(max_length=200)
    phone_hash = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=50, default="")
    # The person's own photo (files.StoredFile of purpose AVATAR), set from the owner app's profile.
    avatar_file_id = fields.BigIntField(null=True)
    password_hash = fields.CharField(max_length=255, null=True)
    wechat_openid = fields.CharField(max_length=64, null=True, unique=True)
    is_active = fields.BooleanField(default=True)
    is_platform_admin = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "user_account"


# A role template kept by the platform: a named set of permissions.
class Role(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=50)
    name_en = fields.CharField(max_length=50, default="")
    permissions: list[str] = fields.JSONField(default=list)
    # Which release's default permissions this template has received (see accounts.service.DEFAULT_ADDITIONS):
    # later releases add their new defaults once, so a permission the platform removed stays removed.
    defaults_version = fields.IntField(default=1, db_default=1)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "role"


# A user working for one company.
class StaffMember(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="staff", on_delete=fields.RESTRICT
    )
    company_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="staff_memberships", on_delete=fields.RESTRICT
    )
    user_id: int
    title = fields.CharField(max_length=50, default="")
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "staff_member"
        unique_together = (("company", "user"),)


# One role held by a staff member, company-wide (community null) or in one community.
class StaffGrant(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="staff_grants", on_delete=fields.RESTRICT
    )
    company_id: int
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "models.StaffMember", related_name="grants", on_delete=fields.CASCADE
    )
    staff_id: int
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="grants", on_delete=fields.RESTRICT
    )
    role_id: int
    community: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Community", related_name="staff_grants", null=True, on_delete=fields.CASCADE
    )
    community_id: int | None

    class Meta:
        table = "staff_grant"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# An offer to join a company's staff, made to someone who already has an account. Kept apart from StaffMember so
# that nothing which reads memberships (sign-in, grants, staff lists and exports, dispatch) can see it: the
# membership exists only once the invitee accepts. `name` is what the inviter typed, never the account's name.
class StaffInvitation(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="staff_invitations", on_delete=fields.RESTRICT
    )
    company_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="staff_invitations", on_delete=fields.CASCADE
    )
    user_id: int
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="staff_invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    invited_by_id: int | None
    name = fields.CharField(max_length=50)
    title = fields.CharField(max_length=50, default="")
    # [[role id, community id or null], ...]: checked again when accepted (a community may be gone by then).
    grants: list[list[int | None]] = fields.JSONField(default=list)
    status = fields.CharEnumField(InvitationStatus, max_length=16, default=InvitationStatus.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    responded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_invitation"
        indexes = (("user_id", "status"), ("company_id", "status"))
