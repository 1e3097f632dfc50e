"""Residents: a user's binding to a unit as owner, family member or tenant."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Relation(StrEnum):
    OWNER = "owner"
    FAMILY = "family"
    TENANT = "tenant"


class BindingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"
    INVITED = "invited"  # added by the unit's owner; the person accepts or declines


# A user's tie to a unit; owners ask, staff approve; owners invite their household, who accept or decline.
class UnitBinding(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="bindings", on_delete=fields.RESTRICT
    )
    company_id: int
    community: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Community", related_name="bindings", on_delete=fields.RESTRICT
    )
    community_id: int
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Unit", related_name="bindings", on_delete=fields.RESTRICT
    )
    unit_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="bindings", on_delete=fields.RESTRICT
    )
    user_id: int
    relation = fields.CharEnumField(Relation, max_length=16)
    status = fields.CharEnumField(BindingStatus, max_length=16, default=BindingStatus.PENDING)
    reason = fields.CharField(max_length=200, default="")
    # What the owner who added this person calls them: shown to that owner only, never copied to the account.
    invited_name = fields.CharField(max_length=50, default="")
    added_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="bindings_added", null=True, on_delete=fields.SET_NULL
    )
    added_by_id: int | None
    reviewed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="bindings_reviewed", null=True, on_delete=fields.SET_NULL
    )
    reviewed_by_id: int | None
    reviewed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit_binding"
        indexes = (("company_id", "status"), ("unit_id", "user_id"))


# How one company knows a person: the name its staff gave when adding or editing them. The person's own name
# (User.name) is theirs and is never written by staff; this row is the company's record, shown to its staff only.
class ResidentProfile(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="resident_profiles", on_delete=fields.RESTRICT
    )
    company_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="resident_profiles", on_delete=fields.RESTRICT
    )
    user_id: int
    name = fields.CharField(max_length=50)
    updated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="resident_profiles_updated", null=True, on_delete=fields.SET_NULL
    )
    updated_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "resident_profile"
        unique_together = (("company_id", "user_id"),)
