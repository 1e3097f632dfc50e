"""GraphQL types of the repairs domain: tickets, their timeline, categories, settings and statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

from backend.core import validate
from backend.core.crypto import open_phone
from backend.core.geo import distance_m
from backend.core.gql import Info, Node, PayloadError, error_type
from backend.core.ids import encode_id
from backend.core.loaders import referenced
from backend.core.permissions import Perm, has_perm
from backend.core.prefetch import loaded
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.types import User
from backend.domains.files.errors import FileCode
from backend.domains.files.loaders import FILES_BY_TARGET
from backend.domains.files.types import StoredFile
from backend.domains.repairs import models
from backend.domains.repairs.access import is_staff_viewer
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.loaders import (
    REPAIR_CATEGORY,
    REPAIRS_STAFF,
    SKILLS_BY_STAFF,
    TICKET_EVENTS,
    TICKET_POSITION,
)
from backend.domains.repairs.models import EventKind, TicketStatus, Urgency
from backend.domains.repairs.workflow import OPEN, UNFINISHED, event_target, ticket_number, ticket_target
from backend.domains.tenancy.loaders import COMMUNITY, UNIT
from backend.domains.tenancy.types import Community, Unit

strawberry.enum(TicketStatus, description="Where a repair ticket stands.")
strawberry.enum(Urgency, description="How urgent a repair is; it sets the SLA.")
strawberry.enum(EventKind, description="What happened to a ticket.")
TicketEventKind = EventKind


@error_type("Repair", RepairCode, FileCode)
class RepairError(PayloadError):
    pass


# The reporter sees who is coming (and may call them) only while the work is theirs to expect.
CONTACT_VISIBLE = {models.TicketStatus.ASSIGNED, models.TicketStatus.IN_PROGRESS, models.TicketStatus.COMPLETED}


@strawberry.type(description="A kind of repair the company handles, e.g. 水电 (water and power).")
class RepairCategory(Node):
    name: str = strawberry.field(description="Name in Chinese.")
    name_en: str = strawberry.field(description="Name in English.")
    is_active: bool = strawberry.field(description="False when disabled: no new tickets may use it.")
    sort: int = strawberry.field(description="Display order, ascending.")
    _company_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.RepairCategory) -> RepairCategory:
        return cls(_pk=m.id, name=m.name, name_en=m.name_en, is_active=m.is_active, sort=m.sort,
                   _company_id=m.company_id)


@strawberry.type(description="A community's repair rules.")
class RepairSettings:
    community_id: strawberry.ID = strawberry.field(description="The community.")
    allow_grab: bool = strawberry.field(description="Technicians may take unassigned accepted tickets.")
    auto_assign: bool = strawberry.field(description="Accepted tickets go to the least busy skilled technician.")
    normal_accept_minutes: int = strawberry.field(description="Normal tickets: accept within this many minutes.")
    normal_finish_hours: int = strawberry.field(description="Normal tickets: finish within this many hours.")
    urgent_accept_minutes: int = strawberry.field(description="Urgent tickets: accept within this many minutes.")
    urgent_finish_hours: int = strawberry.field(description="Urgent tickets: finish within this many hours.")

    @classmethod
    def from_model(cls, m: models.RepairSettings) -> RepairSettings:
        return cls(community_id=strawberry.ID(encode_id("Community", m.community_id)), allow_grab=m.allow_grab,
                   auto_assign=m.auto_assign, normal_accept_minutes=m.normal_accept_minutes,
                   normal_finish_hours=m.normal_finish_hours, urgent_accept_minutes=m.urgent_accept_minutes,
                   urgent_finish_hours=m.urgent_finish_hours)


@strawberry.type(description="Who does a repair: name and mobile number.")
class TechnicianContact:
    name: str = strawberry.field(description="Name.")
    phone: str = strawberry.field(description="Mobile number, in full: owners and staff need to call.")
    staff_member_id: strawberry.ID | None = strawberry.field(
        description="The technician's StaffMember ID; only for staff of the company.")

    @staticmethod
    async def load(info: Info, staff_pk: int, *, for_staff: bool) -> TechnicianContact | None:
        staff = await REPAIRS_STAFF.of(info.context).load(staff_pk)
        if staff is None:
            return None
        user = referenced(await USER.of(info.context).load(staff.user_id))
        return TechnicianContact(name=user.name, phone=open_phone(user.phone_enc, user.phone_hash),
                                 staff_member_id=strawberry.ID(encode_id("StaffMember", staff_pk)) if for_staff else None)


@strawberry.type(description="The reporter's rating of a finished repair.")
class TicketRating:
    speed: int = strawberry.field(description="Speed, 1 to 5.")
    quality: int = strawberry.field(description="Quality, 1 to 5.")
    attitude: int = strawberry.field(description="Attitude, 1 to 5.")
    comment: str = strawberry.field(description="Comment, at most 500 characters.")
    rated_at: datetime = strawberry.field(description="When it was rated (UTC).")


@strawberry.type(description="Where the technician was last, shared with their consent for this ticket.")
class TechnicianPosition:
    latitude: float = strawberry.field(description="Latitude in degrees, as the technician's device reports it.")
    longitude: float = strawberry.field(description="Longitude in degrees, as the technician's device reports it.")
    accuracy: int | None = strawberry.field(description="Accuracy radius in metres, when the device gives one.")
    recorded_at: datetime = strawberry.field(description="When it was reported (UTC).")
    expires_at: datetime = strawberry.field(description="When it stops being shown (2 hours after it was reported).")
    distance_meters: int | None = strawberry.field(description="How far it is from the ticket's community, in metres; "
                                                               "null when the community's position is not set.")


@strawberry.type(description="One step of a ticket's timeline: a status change or a note.")
class TicketEvent:
    kind: TicketEventKind = strawberry.field(description="What happened.")
    from_status: TicketStatus | None = strawberry.field(description="Status before; null for notes and creation.")
    to_status: TicketStatus | None = strawberry.field(description="Status after; null for notes.")
    note: str = strawberry.field(description="Reason or note given with it.")
    internal: bool = strawberry.field(description="A staff-only note; the reporter never sees these.")
    created_at: datetime = strawberry.field(description="When it happened (UTC).")
    _pk: strawberry.Private[int]
    _actor_id: strawberry.Private[int | None]

    @strawberry.field(description="Photos of the work taken at this step.")
    @loaded(FILES_BY_TARGET, lambda self: event_target(self._pk))
    def files(self, files: list[StoredFile]) -> list[StoredFile]:
        return files

    @strawberry.field(description="Name of who did it; null for automatic steps.")
    @loaded(USER, lambda self: self._actor_id)
    def actor_name(self, user: Any) -> str | None:
        return user.name if user is not None else None


@strawberry.type(description="A repair request (报修) for a unit or a public area.")
class Ticket(Node):
    number: str = strawberry.field(description="Number people quote, e.g. R00000042.")
    status: TicketStatus = strawberry.field(description="Where the ticket stands.")
    urgency: Urgency = strawberry.field(description="Normal or urgent.")
    description: str = strawberry.field(description="What is wrong, in the reporter's words.")
    public_area: str = strawberry.field(description="The public place, when it is not about a unit.")
    preferred_start: datetime | None = strawberry.field(description="Start of the reporter's preferred window (UTC).")
    preferred_end: datetime | None = strawberry.field(description="End of the reporter's preferred window (UTC).")
    accept_due: datetime = strawberry.field(description="When it must be accepted by (SLA, UTC).")
    finish_due: datetime = strawberry.field(description="When it must be finished by (SLA, UTC).")
    accepted_at: datetime | None = strawberry.field(description="When staff accepted it (UTC).")
    assigned_at: datetime | None = strawberry.field(description="When a technician got it (UTC).")
    acknowledged_at: datetime | None = strawberry.field(description="When the assigned technician took the job "
                                                                    "(UTC); null until they do.")
    location_consent: bool = strawberry.field(description="The assigned technician shares their position with "
                                                          "the reporter for this ticket while working on it.")
    started_at: datetime | None = strawberry.field(description="When work started (UTC).")
    completed_at: datetime | None = strawberry.field(description="When work was completed (UTC).")
    closed_at: datetime | None = strawberry.field(description="When staff closed it (UTC).")
    reject_reason: str = strawberry.field(description="Why it was rejected, if it was.")
    reopen_count: int = strawberry.field(description="How often the reporter reopened it.")
    created_at: datetime = strawberry.field(description="When it was reported (UTC).")
    _m: strawberry.Private[models.Ticket]

    @classmethod
    def from_model(cls, m: models.Ticket) -> Ticket:
        return cls(
            _pk=m.id, number=ticket_number(m.id), status=m.status, urgency=m.urgency, description=m.description,
            public_area=m.public_area, preferred_start=m.preferred_start, preferred_end=m.preferred_end,
            accept_due=m.accept_due, finish_due=m.finish_due, accepted_at=m.accepted_at, assigned_at=m.assigned_at,
            acknowledged_at=m.acknowledged_at, location_consent=m.location_consent,
            started_at=m.started_at, completed_at=m.completed_at, closed_at=m.closed_at,
            reject_reason=m.reject_reason, reopen_count=m.reopen_count, created_at=m.created_at, _m=m,
        )

    @strawberry.field(description="Past its SLA: not accepted in time, or not finished in time.")
    def overdue(self) -> bool:
        m, now = self._m, datetime.now(UTC)
        if m.status == models.TicketStatus.SUBMITTED and validate.aware(m.accept_due) < now:
            return True
        return m.status in UNFINISHED and validate.aware(m.finish_due) < now

    @strawberry.field(description="The community; null when the caller may no longer see it (a reporter who "
                                  "has moved out).")
    @loaded(COMMUNITY, lambda self: self._m.community_id, visible=True)
    def community(self, row: Any) -> Community | None:
        return Community.from_model(row)

    @strawberry.field(description="The unit; null for a public area, or when the caller may no longer see it.")
    @loaded(UNIT, lambda self: self._m.unit_id, visible=True)
    def unit(self, row: Any) -> Unit | None:
        return Unit.from_model(row) if row is not None else None

    @strawberry.field(description="The repair category.")
    @loaded(REPAIR_CATEGORY, lambda self: self._m.category_id)
    def category(self, row: Any) -> RepairCategory:
        return RepairCategory.from_model(row)

    @strawberry.field(description="Who reported it (phone masked unless the caller may see owners' phones).")
    @loaded(USER, lambda self: self._m.reporter_id)
    def reporter(self, row: Any) -> User:
        return User.from_model(row)

    @strawberry.field(description="The technician; the reporter sees them only while assigned, in progress or "
                                  "completed.")
    async def technician(self, info: Info) -> TechnicianContact | None:
        staff_pk = self._m.technician_id
        if staff_pk is None:
            return None
        staff = is_staff_viewer(info.context, self._m)
        if not staff and self._m.status not in CONTACT_VISIBLE:
            return None
        return await TechnicianContact.load(info, staff_pk, for_staff=staff)

    @strawberry.field(description="Whether the ticket is assigned to the caller (their own job as a technician).")
    def assigned_to_viewer(self, info: Info) -> bool:
        p = info.context.principal
        return p is not None and p.staff_id is not None and self._m.technician_id == p.staff_id

    @strawberry.field(description="The reporter's phone in full, for staff who handle the ticket: staff with "
                                  "ticket.read, and its technician while it is assigned or in progress.")
    async def contact_phone(self, info: Info) -> str | None:
        m, p = self._m, info.context.principal
        if not is_staff_viewer(info.context, m):
            return None
        if not has_perm(info.context, Perm.TICKET_READ, m.community_id) and m.status not in OPEN:
            return None
        if p is not None and p.user_id == m.reporter_id:
            return None
        user = referenced(await USER.of(info.context).load(m.reporter_id))
        return open_phone(user.phone_enc, user.phone_hash)

    @strawberry.field(description="The owner's photos and video of the problem.")
    @loaded(FILES_BY_TARGET, lambda self: ticket_target(self._pk))
    def files(self, files: list[StoredFile]) -> list[StoredFile]:
        return files

    @strawberry.field(description="The technician's latest position: only while work is in progress, only if "
                                  "they consented for this ticket, and for at most 2 hours after it was reported.")
    async def technician_position(self, info: Info) -> TechnicianPosition | None:
        m = self._m
        if m.status != models.TicketStatus.IN_PROGRESS or not m.location_consent:
            return None
        row = await TICKET_POSITION.of(info.context).load(m.id)
        if row is None or row.staff_id != m.technician_id:
            return None
        home = await COMMUNITY.of(info.context).load(m.community_id)
        far = (distance_m(row.latitude, row.longitude, home.latitude, home.longitude)
               if home is not None and home.latitude is not None and home.longitude is not None else None)
        return TechnicianPosition(latitude=row.latitude, longitude=row.longitude, accuracy=row.accuracy_m,
                                  recorded_at=row.recorded_at, expires_at=row.expires_at, distance_meters=far)

    @strawberry.field(description="The reporter's rating, once given.")
    def rating(self) -> TicketRating | None:
        m = self._m
        if m.rated_at is None:
            return None
        return TicketRating(speed=m.rating_speed or 0, quality=m.rating_quality or 0, attitude=m.rating_attitude or 0,
                            comment=m.rating_comment, rated_at=m.rated_at)

    @strawberry.field(description="Every step so far, oldest first; staff-only notes are left out for the reporter.")
    async def timeline(self, info: Info) -> list[TicketEvent]:
        rows = await TICKET_EVENTS.of(info.context).load(self._pk)
        staff = is_staff_viewer(info.context, self._m)
        return [TicketEvent(kind=e.kind, from_status=e.from_status, to_status=e.to_status, note=e.note,
                            internal=e.internal, created_at=e.created_at, _pk=e.id, _actor_id=e.actor_id)
                for e in rows if staff or not e.internal]


@strawberry.type(description="A technician of a community with their current load and skills.")
class TechnicianWorkload:
    technician: TechnicianContact = strawberry.field(description="The technician.")
    assigned_count: int = strawberry.field(description="Tickets assigned, not yet started.")
    in_progress_count: int = strawberry.field(description="Tickets being worked on.")
    _staff_pk: strawberry.Private[int]

    @strawberry.field(description="Categories the technician handles.")
    async def skills(self, info: Info) -> list[RepairCategory]:
        skills = await SKILLS_BY_STAFF.of(info.context).load(self._staff_pk)
        return [RepairCategory.from_model(c) for c in skills]


@strawberry.type(description="A technician's figures for one month (tickets completed in that month).")
class TechnicianStats:
    technician: TechnicianContact = strawberry.field(description="The technician.")
    completed_count: int = strawberry.field(description="Tickets completed in the month.")
    rated_count: int = strawberry.field(description="Of those, how many were rated.")
    avg_speed: float | None = strawberry.field(description="Average speed rating, 1 to 5.")
    avg_quality: float | None = strawberry.field(description="Average quality rating, 1 to 5.")
    avg_attitude: float | None = strawberry.field(description="Average attitude rating, 1 to 5.")
    avg_completion_minutes: float | None = strawberry.field(description="Average minutes from report to completion.")
    sla_hit_rate: float | None = strawberry.field(description="Share finished within the SLA, 0 to 1.")


@strawberry.input(description="Filters for the staff ticket list.")
class TicketFilter:
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")
    status: list[TicketStatus] | None = strawberry.field(default=None, description="Only these statuses.")
    category_id: strawberry.ID | None = strawberry.field(default=None, description="Only this category.")
    urgency: Urgency | None = strawberry.field(default=None, description="Only this urgency.")
    overdue: bool | None = strawberry.field(default=None, description="Only overdue (true) or on-time (false).")
    technician_id: strawberry.ID | None = strawberry.field(default=None, description="Only this technician's.")
    mine: bool | None = strawberry.field(default=None, description="Only tickets assigned to the caller (true) or "
                                                               "not assigned to them (false).")
    search: str | None = strawberry.field(default=None, description="Description contains this, or a ticket number.")


@strawberry.input(description="A new repair request.")
class TicketCreateInput:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="The unit; or give a community "
                                                                                "and a public area.")
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Community of a public area.")
    public_area: str | None = strawberry.field(default=None, description="Public place, e.g. 3号楼电梯.")
    category_id: strawberry.ID = strawberry.field(description="The repair category.")
    description: str = strawberry.field(description="What is wrong, 1 to 1000 characters.")
    urgency: Urgency = strawberry.field(default=models.Urgency.NORMAL, description="Normal or urgent.")
    preferred_start: datetime | None = strawberry.field(default=None, description="Preferred window start.")
    preferred_end: datetime | None = strawberry.field(default=None, description="Preferred window end, at most "
                                                                                "14 days ahead.")
    idempotency_key: str = strawberry.field(description="Unique per request (≤ 64 characters): a retry with the "
                                                        "same key returns the same ticket.")
    file_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Your uploads (fileUpload with TICKET_PHOTO or TICKET_VIDEO): at most 9 photos "
                                  "and 1 video.")


@strawberry.input(description="Where the technician is now.")
class TicketPositionInput:
    latitude: float = strawberry.field(description="Latitude in degrees, -90 to 90.")
    longitude: float = strawberry.field(description="Longitude in degrees, -180 to 180.")
    accuracy: int | None = strawberry.field(default=None, description="Accuracy radius in metres, 0 to 100000.")


@strawberry.input(description="A rating of a finished repair.")
class TicketRateInput:
    speed: int = strawberry.field(description="Speed, 1 to 5.")
    quality: int = strawberry.field(description="Quality, 1 to 5.")
    attitude: int = strawberry.field(description="Attitude, 1 to 5.")
    comment: str | None = strawberry.field(default=None, description="Comment, at most 500 characters.")


@strawberry.input(description="A new or changed repair category; omitted fields stay.")
class RepairCategoryInput:
    name: str | None = strawberry.field(default=None, description="Name in Chinese (required when creating).")
    name_en: str | None = strawberry.field(default=None, description="Name in English.")
    sort: int | None = strawberry.field(default=None, description="Display order.")
    is_active: bool | None = strawberry.field(default=None, description="Enable or disable.")


@strawberry.input(description="Changes to a community's repair settings; omitted fields stay.")
class RepairSettingsInput:
    allow_grab: bool | None = strawberry.field(default=None, description="Technicians may grab tickets.")
    auto_assign: bool | None = strawberry.field(default=None, description="Assign accepted tickets automatically.")
    normal_accept_minutes: int | None = strawberry.field(default=None, description="Normal: accept within minutes.")
    normal_finish_hours: int | None = strawberry.field(default=None, description="Normal: finish within hours.")
    urgent_accept_minutes: int | None = strawberry.field(default=None, description="Urgent: accept within minutes.")
    urgent_finish_hours: int | None = strawberry.field(default=None, description="Urgent: finish within hours.")


@strawberry.type(description="Result of a ticket change.")
class TicketPayload:
    ticket: Ticket | None = strawberry.field(description="The ticket, when it worked.")
    errors: list[RepairError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of creating or changing a repair category.")
class RepairCategoryPayload:
    category: RepairCategory | None = strawberry.field(description="The category, when it worked.")
    errors: list[RepairError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of changing repair settings.")
class RepairSettingsPayload:
    settings: RepairSettings | None = strawberry.field(description="The settings, when it worked.")
    errors: list[RepairError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of setting a technician's skills.")
class TechnicianSkillsPayload:
    skills: list[RepairCategory] | None = strawberry.field(description="The categories now handled.")
    errors: list[RepairError] = strawberry.field(description="Why it did not work.")
