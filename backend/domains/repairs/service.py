"""Repairs: ticket creation, the one transition table, notes, and the owner's cancel, reopen and rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.core import events, validate
from backend.core.errors import Codes, DomainError
from backend.domains.files.models import UploadPurpose
from backend.domains.files.service import check_claimable, claim_files
from backend.domains.notifications import service as notifications
from backend.domains.repairs.config import due_dates, get_settings
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.models import (
    EventKind,
    RepairCategory,
    TechnicianPosition,
    Ticket,
    TicketEvent,
    TicketStatus,
    Urgency,
)
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import CompanyStatus

S = TicketStatus
MAX_DESCRIPTION = 1000
MAX_KEY = 64
MAX_WINDOW_AHEAD = timedelta(days=14)
REOPEN_WINDOW = timedelta(days=7)
MAX_NOTE = 500
MAX_COMMENT = 500
# Photos of the owner's report (on the ticket) and of the work (on a timeline step).
REPORT_PURPOSES = frozenset({UploadPurpose.TICKET_PHOTO, UploadPurpose.TICKET_VIDEO})
WORK_PURPOSES = frozenset({UploadPurpose.TICKET_WORK_PHOTO})
MAX_PHOTOS = 9
OPEN = (S.ASSIGNED, S.IN_PROGRESS)
# Statuses in which the finish SLA still runs (and a ticket can be overdue).
UNFINISHED = (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)

# The one transition table: event kind -> (statuses it may start from, status it leads to).
TRANSITIONS: dict[EventKind, tuple[frozenset[TicketStatus], TicketStatus]] = {
    EventKind.ACCEPTED: (frozenset({S.SUBMITTED}), S.ACCEPTED),
    EventKind.REJECTED: (frozenset({S.SUBMITTED, S.ACCEPTED}), S.REJECTED),
    EventKind.ASSIGNED: (frozenset({S.ACCEPTED}), S.ASSIGNED),
    # The technician confirms the job; the status stays (see acknowledge for the once-only rule).
    EventKind.ACKNOWLEDGED: (frozenset({S.ASSIGNED}), S.ASSIGNED),
    EventKind.REASSIGNED: (frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.ASSIGNED),
    EventKind.GRABBED: (frozenset({S.ACCEPTED}), S.ASSIGNED),
    EventKind.STARTED: (frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    EventKind.COMPLETED: (frozenset({S.IN_PROGRESS}), S.COMPLETED),
    EventKind.RATED: (frozenset({S.COMPLETED}), S.RATED),
    EventKind.CLOSED: (frozenset({S.COMPLETED, S.RATED}), S.CLOSED),
    EventKind.CANCELLED: (frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED}), S.CANCELLED),
    EventKind.REOPENED: (frozenset({S.COMPLETED, S.RATED}), S.ACCEPTED),
}
# Notes may be added while the ticket is still being handled.
NOTE_STATUSES = frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED, S.RATED})
# Inbox texts for the reporter, per event kind (Chinese, English).
MESSAGES: dict[EventKind, tuple[str, str]] = {
    EventKind.CREATED: ("报修已提交", "Repair request submitted"),
    EventKind.ACCEPTED: ("报修已受理", "Repair request accepted"),
    EventKind.REJECTED: ("报修未受理", "Repair request rejected"),
    EventKind.ASSIGNED: ("已派师傅", "A technician was assigned"),
    EventKind.ACKNOWLEDGED: ("师傅已接单", "The technician took the job"),
    EventKind.REASSIGNED: ("已改派师傅", "Another technician was assigned"),
    EventKind.GRABBED: ("已派师傅", "A technician was assigned"),
    EventKind.STARTED: ("师傅已开始维修", "The technician started work"),
    EventKind.COMPLETED: ("维修已完成，请评价", "Repair completed; please rate it"),
    EventKind.RATED: ("感谢您的评价", "Thank you for your rating"),
    EventKind.CLOSED: ("报修已关闭", "Repair request closed"),
    EventKind.CANCELLED: ("报修已取消", "Repair request cancelled"),
    EventKind.REOPENED: ("报修已重新打开", "Repair request reopened"),
}


def now() -> datetime:
    return datetime.now(UTC)


def ticket_number(pk: int) -> str:
    """The number people quote: R + the id, zero-padded."""
    return f"R{pk:08d}"


def ticket_channel(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def community_channel(community_id: int) -> str:
    return f"community:{community_id}:tickets"


# -------------------------------------------------------------------------------------------- transitions


def _emit(ticket: Ticket, kind: EventKind) -> None:
    message = {"ticketId": ticket.id, "status": ticket.status.value, "kind": kind.value,
               "communityId": ticket.community_id}  # type: ignore[attr-defined]
    events.emit(ticket_channel(ticket.id), message)
    events.emit(community_channel(ticket.community_id), message)  # type: ignore[attr-defined]


def ticket_target(ticket_id: int) -> str:
    """What the owner's photos and video are attached to (files.claim_files target)."""
    return f"Ticket:{ticket_id}"


def event_target(event_id: int) -> str:
    """What a timeline step's work photos are attached to."""
    return f"TicketEvent:{event_id}"


async def _record(ticket: Ticket, kind: EventKind, *, actor_id: int | None, from_status: TicketStatus | None,
                  note: str = "", file_ids: list[int] | None = None) -> TicketEvent:
    """Timeline row (with its work photos), the reporter's inbox message and the after-commit events of a step."""
    event = await TicketEvent.create(
        company_id=ticket.company_id, ticket_id=ticket.id, actor_id=actor_id, kind=kind,  # type: ignore[attr-defined]
        from_status=from_status, to_status=ticket.status if kind != EventKind.NOTE else None, note=note,
    )
    await _claim_work_photos(ticket, event, actor_id, file_ids)
    if kind in MESSAGES:
        title, title_en = MESSAGES[kind]
        number = ticket_number(ticket.id)
        await notifications.notify(
            user_id=ticket.reporter_id, company_id=ticket.company_id, kind=f"ticket.{kind.value}",  # type: ignore[attr-defined]
            title=title, title_en=title_en, body=f"报修单 {number}：{title}", body_en=f"Ticket {number}: {title_en}",
            target_type="Ticket", target_id=ticket.id,
        )
    _emit(ticket, kind)
    return event


async def _claim_work_photos(ticket: Ticket, event: TicketEvent, actor_id: int | None,
                             file_ids: list[int] | None) -> None:
    if not file_ids:
        return
    if actor_id is None:
        raise DomainError(Codes.FORBIDDEN, "Automatic steps carry no photos", "fileIds")
    await claim_files(ids=file_ids, user_id=actor_id, company_id=ticket.company_id,  # type: ignore[attr-defined]
                      target=event_target(event.id), max_images=MAX_PHOTOS, max_videos=0, purposes=WORK_PURPOSES,
                      field="fileIds")


async def transition(
    ticket: Ticket, kind: EventKind, *, actor_id: int | None, note: str = "", file_ids: list[int] | None = None,
    expect_technician: int | None | bool = False, **changes: Any,
) -> Ticket:
    """Move a ticket along the transition table, atomically; anything else is ILLEGAL_TRANSITION.

    The update is conditional on the status read (and, with `expect_technician`, on the technician), so two
    requests racing for the same step cannot both win.
    """
    if file_ids and actor_id is not None:  # someone else's file is refused before the ticket is looked at
        await check_claimable(ids=file_ids, user_id=actor_id, purposes=WORK_PURPOSES, field="fileIds")
    allowed_from, to = TRANSITIONS[kind]
    current = ticket.status
    if current not in allowed_from:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, f"A {current.value} ticket cannot be {kind.value}", "id")
    at = now()
    stamp = {S.ACCEPTED: "accepted_at", S.ASSIGNED: "assigned_at", S.IN_PROGRESS: "started_at",
             S.COMPLETED: "completed_at", S.RATED: "rated_at", S.CLOSED: "closed_at"}.get(to) if to != current else None
    values: dict[str, Any] = {"status": to, "updated_at": at, **changes}
    if stamp and stamp not in values:
        values[stamp] = at
    # Position sharing belongs to one technician's visit: it ends when the ticket leaves them or work ends.
    if kind == EventKind.REASSIGNED or to not in OPEN:
        values["location_consent"] = False
    if kind in (EventKind.REASSIGNED, EventKind.REOPENED):
        values["acknowledged_at"] = None
    guard: dict[str, Any] = {"id": ticket.id, "status": current}
    if expect_technician is not False:
        guard["technician_id"] = expect_technician
    if not await Ticket.filter(**guard).update(**values):
        code = RepairCode.ALREADY_ASSIGNED if kind == EventKind.GRABBED else RepairCode.ILLEGAL_TRANSITION
        raise DomainError(code, "The ticket changed meanwhile", "id")
    for name, value in values.items():
        setattr(ticket, name, value)
    if current == S.IN_PROGRESS and to != S.IN_PROGRESS:
        await TechnicianPosition.filter(ticket_id=ticket.id).delete()
    await _record(ticket, kind, actor_id=actor_id, from_status=current, note=note, file_ids=file_ids)
    return ticket


async def add_note(ticket: Ticket, *, actor_id: int, note: str, internal: bool = False,
                   file_ids: list[int] | None = None) -> Ticket:
    """A note on the timeline (no status change) while the ticket is being handled; `internal` hides it from the
    reporter."""
    note = validate.text(note, "note", MAX_NOTE, required=True)
    if file_ids:
        await check_claimable(ids=file_ids, user_id=actor_id, purposes=WORK_PURPOSES, field="fileIds")
    if ticket.status not in NOTE_STATUSES:
        raise DomainError(RepairCode.ILLEGAL_TRANSITION, "A closed ticket takes no notes", "id")
    event = await TicketEvent.create(company_id=ticket.company_id, ticket_id=ticket.id, actor_id=actor_id,  # type: ignore[attr-defined]
                                     kind=EventKind.NOTE, note=note, internal=internal)
    await _claim_work_photos(ticket, event, actor_id, file_ids)
    _emit(ticket, EventKind.NOTE)
    return ticket


# ------------------------------------------------------------------------------------------------- owners


@dataclass(frozen=True)
class TicketSpec:
    unit_id: int | None
    community_id: int | None
    public_area: str | None
    category_id: int
    description: str
    urgency: Urgency
    preferred_start: datetime | None
    preferred_end: datetime | None
    idempotency_key: str
    file_ids: tuple[int, ...] = ()


def _window(start: datetime | None, end: datetime | None, at: datetime) -> tuple[datetime | None, datetime | None]:
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise DomainError(Codes.REQUIRED, "Give both ends of the window", "preferredEnd" if start else "preferredStart")
    start, end = validate.aware(start), validate.aware(end)
    if end <= start:
        raise DomainError(Codes.INVALID, "The window must end after it starts", "preferredEnd")
    if end < at:
        raise DomainError(Codes.INVALID, "The window is in the past", "preferredEnd")
    if start > at + MAX_WINDOW_AHEAD or end > at + MAX_WINDOW_AHEAD:
        raise DomainError(Codes.INVALID, "At most 14 days ahead", "preferredEnd")
    return start, end


async def _place(user_id: int, spec: TicketSpec) -> tuple[int, int, int | None, str]:
    """(company, community, unit, public area) of a new ticket, checked against the caller's bindings."""
    bindings = UnitBinding.filter(user_id=user_id, status=BindingStatus.APPROVED, company__status=CompanyStatus.ACTIVE)
    if spec.unit_id is not None:
        if spec.public_area:
            raise DomainError(Codes.INVALID, "Give a unit or a public area, not both", "publicArea")
        row = await bindings.filter(unit_id=spec.unit_id).values("company_id", "community_id")
        if not row:
            raise DomainError(Codes.NOT_FOUND, "You are not bound to this unit", "unitId")
        return row[0]["company_id"], row[0]["community_id"], spec.unit_id, ""
    if spec.community_id is None:
        raise DomainError(Codes.REQUIRED, "Give a unit or a community and a public area", "unitId")
    row = await bindings.filter(community_id=spec.community_id).values("company_id", "community_id")
    if not row:
        raise DomainError(Codes.NOT_FOUND, "You have no home in this community", "communityId")
    return row[0]["company_id"], spec.community_id, None, validate.text(spec.public_area, "publicArea", 100, required=True)


async def create_ticket(*, user_id: int, spec: TicketSpec) -> tuple[Ticket, bool]:
    """Report a repair; a retry with the same idempotency key returns the first ticket. (ticket, created)."""
    key = (spec.idempotency_key or "").strip()
    if not key:
        raise DomainError(Codes.REQUIRED, "An idempotency key is required", "idempotencyKey")
    if len(key) > MAX_KEY:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_KEY} characters", "idempotencyKey")
    existing = await Ticket.filter(reporter_id=user_id, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    description = validate.text(spec.description, "description", MAX_DESCRIPTION, required=True)
    await check_claimable(ids=list(spec.file_ids), user_id=user_id, purposes=REPORT_PURPOSES, field="fileIds")
    at = now()
    start, end = _window(spec.preferred_start, spec.preferred_end, at)
    # The category must be one of a company the caller lives with, before anything else is looked at.
    homes = UnitBinding.filter(user_id=user_id, status=BindingStatus.APPROVED).values("company_id")
    category = await RepairCategory.filter(id=spec.category_id, is_active=True,
                                           company_id__in=Subquery(homes)).values("company_id")
    if not category:
        raise DomainError(Codes.NOT_FOUND, "No such category", "categoryId")
    company_id, community_id, unit_id, area = await _place(user_id, spec)
    if category[0]["company_id"] != company_id:
        raise DomainError(Codes.NOT_FOUND, "No such category", "categoryId")
    accept_due, finish_due = due_dates(await get_settings(community_id), spec.urgency, at)
    try:
        async with in_transaction():  # a savepoint: a concurrent twin's insert fails alone
            ticket = await Ticket.create(
                company_id=company_id, community_id=community_id, unit_id=unit_id, public_area=area,
                category_id=spec.category_id, reporter_id=user_id, idempotency_key=key, description=description,
                urgency=spec.urgency, preferred_start=start, preferred_end=end, accept_due=accept_due,
                finish_due=finish_due,
            )
    except IntegrityError:
        twin = await Ticket.filter(reporter_id=user_id, idempotency_key=key).first()
        if twin is None:
            # MySQL's REPEATABLE READ hides the twin committed meanwhile from this transaction: the caller
            # retries once in a new one, which finds it (see mutations.ticket_create).
            raise DomainError(Codes.DUPLICATE, "A twin request is being created", "idempotencyKey") from None
        return twin, False
    if spec.file_ids:
        await claim_files(ids=list(spec.file_ids), user_id=user_id, company_id=company_id,
                          target=ticket_target(ticket.id), max_images=MAX_PHOTOS, max_videos=1,
                          purposes=REPORT_PURPOSES, field="fileIds")
    await _record(ticket, EventKind.CREATED, actor_id=user_id, from_status=None)
    return ticket, True


async def own_ticket(*, user_id: int, ticket_id: int) -> Ticket:
    row = await Ticket.filter(id=ticket_id, reporter_id=user_id).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND, "No such ticket", "id")
    return row


async def cancel_ticket(*, user_id: int, ticket_id: int, reason: str | None) -> Ticket:
    """The reporter withdraws a ticket before work starts."""
    ticket = await own_ticket(user_id=user_id, ticket_id=ticket_id)
    return await transition(ticket, EventKind.CANCELLED, actor_id=user_id, note=validate.text(reason, "reason", 200))


async def reopen_ticket(*, user_id: int, ticket_id: int, reason: str | None) -> Ticket:
    """The reporter reopens a completed (or rated) ticket within 7 days; it needs assigning again."""
    ticket = await own_ticket(user_id=user_id, ticket_id=ticket_id)
    note = validate.text(reason, "reason", 200)
    since = max(validate.aware(t) for t in (ticket.completed_at, ticket.rated_at) if t is not None) if (
        ticket.completed_at or ticket.rated_at) else None
    if ticket.status in TRANSITIONS[EventKind.REOPENED][0] and since is not None and now() - since > REOPEN_WINDOW:
        raise DomainError(RepairCode.REOPEN_WINDOW_PASSED, "Tickets reopen within 7 days of completion", "id")
    ticket = await transition(
        ticket, EventKind.REOPENED, actor_id=user_id, note=note, technician_id=None, assigned_at=None,
        started_at=None, completed_at=None, completion_minutes=None, sla_met=None, reopen_count=ticket.reopen_count + 1,
    )
    from backend.domains.repairs.dispatch import auto_assign

    await auto_assign(ticket)
    return ticket


def _score(value: int, field: str) -> int:
    if not 1 <= value <= 5:
        raise DomainError(Codes.INVALID, "From 1 to 5", field)
    return value


async def rate_ticket(*, user_id: int, ticket_id: int, speed: int, quality: int, attitude: int,
                      comment: str | None) -> Ticket:
    """The reporter rates a completed ticket, once."""
    ticket = await own_ticket(user_id=user_id, ticket_id=ticket_id)
    if ticket.status == S.COMPLETED and ticket.rated_at is not None:  # completed again after a reopen
        raise DomainError(RepairCode.ALREADY_RATED, "This ticket was rated already", "id")
    return await transition(
        ticket, EventKind.RATED, actor_id=user_id, rating_speed=_score(speed, "speed"),
        rating_quality=_score(quality, "quality"), rating_attitude=_score(attitude, "attitude"),
        rating_comment=validate.text(comment, "comment", MAX_COMMENT),
    )
