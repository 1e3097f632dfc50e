"""Repairs, the owner's side: ticket creation (idempotent), cancel, reopen and rate; steps go through workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.core import validate
from backend.core.errors import Codes, DomainError
from backend.domains.files.models import UploadPurpose
from backend.domains.files.service import check_claimable, claim_files
from backend.domains.repairs import workflow
from backend.domains.repairs.config import due_dates, get_settings
from backend.domains.repairs.dispatch import auto_assign
from backend.domains.repairs.errors import RepairCode
from backend.domains.repairs.models import (
    EventKind,
    RepairCategory,
    Ticket,
    Urgency,
)
from backend.domains.repairs.workflow import (
    MAX_PHOTOS,
    TRANSITIONS,
    S,
    now,
    ticket_target,
    transition,
)
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import CompanyStatus

MAX_DESCRIPTION = 1000
MAX_KEY = 64
MAX_WINDOW_AHEAD = timedelta(days=14)
REOPEN_WINDOW = timedelta(days=7)
MAX_COMMENT = 500
REPORT_PURPOSES = frozenset({UploadPurpose.TICKET_PHOTO, UploadPurpose.TICKET_VIDEO})


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
    await workflow.record(ticket, EventKind.CREATED, actor_id=user_id, from_status=None)
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
    """The reporter reopens a completed, rated or closed ticket within 7 days of its completion (or rating); it needs
    assigning again."""
    ticket = await own_ticket(user_id=user_id, ticket_id=ticket_id)
    note = validate.text(reason, "reason", 200)
    since = max(validate.aware(t) for t in (ticket.completed_at, ticket.rated_at) if t is not None) if (
        ticket.completed_at or ticket.rated_at) else None
    if ticket.status in TRANSITIONS[EventKind.REOPENED][0] and since is not None and now() - since > REOPEN_WINDOW:
        raise DomainError(RepairCode.REOPEN_WINDOW_PASSED, "Tickets reopen within 7 days of completion", "id")
    ticket = await transition(
        ticket, EventKind.REOPENED, actor_id=user_id, note=note, technician_id=None, assigned_at=None,
        started_at=None, completed_at=None, closed_at=None, completion_minutes=None, sla_met=None,
        reopen_count=ticket.reopen_count + 1,
    )

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
