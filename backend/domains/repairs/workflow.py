"""The repair ticket's state machine: the one transition table, `transition()` (atomic, conditional on the status
read), the timeline record with the reporter's inbox message, and the events published after commit. The owner
side (service.py) and dispatch (dispatch.py) both move tickets only through here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend.core import events, validate
from backend.core.errors import Codes, DomainError
from backend.domains.accounts.models import StaffMember
from backend.domains.files.models import UploadPurpose
from backend.domains.files.service import check_claimable, claim_files
from backend.domains.notifications import service as notifications
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.models import (
    EventKind,
    TechnicianPosition,
    Ticket,
    TicketEvent,
    TicketStatus,
)

S = TicketStatus
MAX_NOTE = 500
# Photos of the owner's report (on the ticket) and of the work (on a timeline step).
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
    # Also after staff closed it: the reporter's 7 days from completion (or rating) hold either way.
    EventKind.REOPENED: (frozenset({S.COMPLETED, S.RATED, S.CLOSED}), S.ACCEPTED),
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

# Inbox texts for the technician a ticket is given to (by staff or automatically; grabbing needs none).
TECHNICIAN_MESSAGES: dict[EventKind, tuple[str, str]] = {
    EventKind.ASSIGNED: ("您有新的维修任务", "A repair job was assigned to you"),
    EventKind.REASSIGNED: ("您有改派来的维修任务", "A repair job was reassigned to you"),
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


def emit(ticket: Ticket, kind: EventKind) -> None:
    message = {"ticketId": ticket.id, "status": ticket.status.value, "kind": kind.value,
               "communityId": ticket.community_id}
    events.emit(ticket_channel(ticket.id), message)
    events.emit(community_channel(ticket.community_id), message)


def ticket_target(ticket_id: int) -> str:
    """What the owner's photos and video are attached to (files.claim_files target)."""
    return f"Ticket:{ticket_id}"


def event_target(event_id: int) -> str:
    """What a timeline step's work photos are attached to."""
    return f"TicketEvent:{event_id}"


async def record(ticket: Ticket, kind: EventKind, *, actor_id: int | None, from_status: TicketStatus | None,
                  note: str = "", file_ids: list[int] | None = None) -> TicketEvent:
    """Timeline row (with its work photos), the reporter's inbox message and the after-commit events of a step."""
    event = await TicketEvent.create(
        company_id=ticket.company_id, ticket_id=ticket.id, actor_id=actor_id, kind=kind,
        from_status=from_status, to_status=ticket.status if kind != EventKind.NOTE else None, note=note,
    )
    await _claim_work_photos(ticket, event, actor_id, file_ids)
    if kind in MESSAGES:
        title, title_en = MESSAGES[kind]
        number = ticket_number(ticket.id)
        await notifications.notify(
            user_id=ticket.reporter_id, company_id=ticket.company_id, kind=f"ticket.{kind.value}",
            title=title, title_en=title_en, body=f"报修单 {number}：{title}", body_en=f"Ticket {number}: {title_en}",
            target_type="Ticket", target_id=ticket.id,
        )
    if kind in TECHNICIAN_MESSAGES and ticket.technician_id is not None:
        await _tell_technician(ticket, kind)
    emit(ticket, kind)
    return event


async def _tell_technician(ticket: Ticket, kind: EventKind) -> None:
    """The inbox message of the technician a ticket was just given to."""
    staff = await StaffMember.filter(id=ticket.technician_id).only("id", "user_id").first()
    if staff is None:
        return
    title, title_en = TECHNICIAN_MESSAGES[kind]
    number = ticket_number(ticket.id)
    await notifications.notify(
        user_id=staff.user_id, company_id=ticket.company_id, kind=f"ticket.{kind.value}ToYou", title=title,
        title_en=title_en, body=f"报修单 {number}：{title}", body_en=f"Ticket {number}: {title_en}",
        target_type="Ticket", target_id=ticket.id,
    )


async def _claim_work_photos(ticket: Ticket, event: TicketEvent, actor_id: int | None,
                             file_ids: list[int] | None) -> None:
    if not file_ids:
        return
    if actor_id is None:
        raise DomainError(Codes.FORBIDDEN, "Automatic steps carry no photos", "fileIds")
    await claim_files(ids=file_ids, user_id=actor_id, company_id=ticket.company_id,
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
    await record(ticket, kind, actor_id=actor_id, from_status=current, note=note, file_ids=file_ids)
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
    event = await TicketEvent.create(company_id=ticket.company_id, ticket_id=ticket.id, actor_id=actor_id,
                                     kind=EventKind.NOTE, note=note, internal=internal)
    await _claim_work_photos(ticket, event, actor_id, file_ids)
    emit(ticket, EventKind.NOTE)
    return ticket


