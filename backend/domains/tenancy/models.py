"""Tenancy: property companies (tenants), their communities, buildings and units."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CompanyStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class UnitType(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    PARKING = "parking"


# A property company: the tenant every company-owned row points at.
class Company(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    status = fields.CharEnumField(CompanyStatus, max_length=16, default=CompanyStatus.ACTIVE)
    contact_name = fields.CharField(max_length=50, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "company"


# A residential community (小区) run by one company.
class Community(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="communities", on_delete=fields.RESTRICT
    )
    company_id: int
    name = fields.CharField(max_length=100)
    address = fields.CharField(max_length=255, default="")
    timezone = fields.CharField(max_length=64, default="Asia/Shanghai")
    # Where the community is (WGS-84 degrees), for the distance of a technician on the way; optional.
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "community"
        unique_together = (("company", "name"),)


# A building (楼栋) of a community.
class Building(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="buildings", on_delete=fields.RESTRICT
    )
    company_id: int
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="buildings", on_delete=fields.RESTRICT
    )
    community_id: int
    name = fields.CharField(max_length=50)
    floors = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "building"
        unique_together = (("community", "name"),)


# A unit (房屋): an apartment, a shop or a parking space.
class Unit(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="units", on_delete=fields.RESTRICT
    )
    company_id: int
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="units", on_delete=fields.RESTRICT
    )
    community_id: int
    building: fields.ForeignKeyRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name="units", on_delete=fields.RESTRICT
    )
    building_id: int
    number = fields.CharField(max_length=20)
    floor = fields.IntField()
    area = fields.DecimalField(max_digits=10, decimal_places=2)
    type = fields.CharEnumField(UnitType, max_length=16, default=UnitType.RESIDENTIAL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit"
        unique_together = (("building", "number"),)
        indexes = (("company_id", "number"),)
