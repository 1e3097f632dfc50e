"""Repairs: categories, community repair settings, technician skills, tickets and their timelines."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TicketStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RATED = "rated"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class EventKind(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    REASSIGNED = "reassigned"
    GRABBED = "grabbed"
    STARTED = "started"
    NOTE = "note"
    COMPLETED = "completed"
    RATED = "rated"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


# A kind of repair a company handles (水电, 门窗, ...); defaults are created per company on first use.
class RepairCategory(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="repair_categories", on_delete=fields.RESTRICT
    )
    company_id: int
    name = fields.CharField(max_length=50)
    name_en = fields.CharField(max_length=50, default="")
    is_active = fields.BooleanField(default=True)
    sort = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "repair_category"
        unique_together = (("company", "name"),)


# A community's repair rules; a community without a row uses the defaults of repairs.service.
class RepairSettings(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="repair_settings", on_delete=fields.RESTRICT
    )
    company_id: int
    community: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Community", related_name="repair_settings", on_delete=fields.CASCADE, unique=True
    )
    community_id: int
    allow_grab = fields.BooleanField(default=False)
    auto_assign = fields.BooleanField(default=False)
    normal_accept_minutes = fields.IntField(default=60)
    normal_finish_hours = fields.IntField(default=48)
    urgent_accept_minutes = fields.IntField(default=15)
    urgent_finish_hours = fields.IntField(default=8)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "repair_settings"


# A category a technician (a staff member) handles; used by automatic assignment.
class TechnicianSkill(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="technician_skills", on_delete=fields.RESTRICT
    )
    company_id: int
    staff: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.StaffMember", related_name="skills", on_delete=fields.CASCADE
    )
    staff_id: int
    category: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.RepairCategory", related_name="skills", on_delete=fields.CASCADE
    )
    category_id: int

    class Meta:
        table = "technician_skill"
        unique_together = (("staff", "category"),)


# A repair request (报修) for a unit or a public area of a community.
class Ticket(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="tickets", on_delete=fields.RESTRICT
    )
    company_id: int
    community: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Community", related_name="tickets", on_delete=fields.RESTRICT
    )
    community_id: int
    unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Unit", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    unit_id: int | None
    public_area = fields.CharField(max_length=100, default="")
    category: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.RepairCategory", related_name="tickets", on_delete=fields.RESTRICT
    )
    category_id: int
    reporter: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="tickets", on_delete=fields.RESTRICT
    )
    reporter_id: int
    technician: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.StaffMember", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    technician_id: int | None
    idempotency_key = fields.CharField(max_length=64)
    description = fields.CharField(max_length=1000)
    urgency = fields.CharEnumField(Urgency, max_length=16, default=Urgency.NORMAL)
    status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.SUBMITTED)
    preferred_start = fields.DatetimeField(null=True)
    preferred_end = fields.DatetimeField(null=True)
    accept_due = fields.DatetimeField()
    finish_due = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    assigned_at = fields.DatetimeField(null=True)
    # When the assigned technician confirmed they will do it (reset on reassignment).
    acknowledged_at = fields.DatetimeField(null=True)
    # The assigned technician agreed to share their position with the reporter for this ticket.
    location_consent = fields.BooleanField(default=False)
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # Set on completion so monthly statistics are plain aggregates on every database.
    completion_minutes = fields.IntField(null=True)
    sla_met = fields.BooleanField(null=True)
    reject_reason = fields.CharField(max_length=200, default="")
    reopen_count = fields.IntField(default=0)
    rating_speed = fields.SmallIntField(null=True)
    rating_quality = fields.SmallIntField(null=True)
    rating_attitude = fields.SmallIntField(null=True)
    rating_comment = fields.CharField(max_length=500, default="")
    rated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "ticket"
        unique_together = (("reporter", "idempotency_key"),)
        indexes = (("company_id", "community_id", "status"), ("technician_id", "status"), ("completed_at",))


# One step of a ticket's timeline: a status change or a note, with who and when.
class TicketEvent(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="ticket_events", on_delete=fields.RESTRICT
    )
    company_id: int
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="events", on_delete=fields.CASCADE
    )
    ticket_id: int
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="ticket_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    kind = fields.CharEnumField(EventKind, max_length=16)
    from_status = fields.CharEnumField(TicketStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(TicketStatus, max_length=16, null=True)
    note = fields.CharField(max_length=500, default="")
    # A staff-only note: never shown to the reporter.
    internal = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_event"
        indexes = (("ticket_id", "id"),)


# The latest position the assigned technician shared for a ticket (one row per ticket). Kept only with the
# technician's consent for that ticket, shown to the reporter while work is in progress, ignored after
# `expires_at` and deleted when the ticket leaves work (completion, reassignment, cancel) or consent ends.
class TechnicianPosition(Model):
    id = fields.BigIntField(primary_key=True)
    company: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Company", related_name="technician_positions", on_delete=fields.RESTRICT
    )
    company_id: int
    ticket: fields.ForeignKeyRelation[Ticket] = fields.OneToOneField(
        "models.Ticket", related_name="position", on_delete=fields.CASCADE
    )
    ticket_id: int
    staff: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.StaffMember", related_name="positions", on_delete=fields.CASCADE
    )
    staff_id: int
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    accuracy_m = fields.IntField(null=True)
    recorded_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "technician_position"
        indexes = (("expires_at",),)
