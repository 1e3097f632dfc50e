"""Residents: owners ask to bind to units, staff review, owners invite their household, who accept or decline."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime
from backend.domains.accounts import service as accounts
from backend.domains.residents.errors import ResidentCode
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy.models import CompanyStatus, Unit

MAX_REASON = 200
# Each request reaches the staff of a unit's community, and each invitation a person's phone: both are capped per
# caller so neither can be used to flood reviewers or strangers.
REQUEST_RULES = (Rule("binding_request_hour", 10, 3600), Rule("binding_request_day", 30, 86400))
HOUSEHOLD_ADD_RULES = (Rule("household_add_day", 20, 86400),)


def channel(company_id: int) -> str:
    """Pub/sub channel of a company's binding events."""
    return f"company:{company_id}:bindings"


def _emit(row: UnitBinding, kind: str) -> None:
    events.emit(channel(row.company_id), {"kind": kind, "bindingId": row.id, "communityId": row.community_id})


async def request_binding(*, user_id: int, unit_id: int, relation: Relation) -> UnitBinding:
    """A person asks to be bound to a unit; staff of its community review it. The refusals tell the caller nothing
    about the unit beyond "no such unit" and about their own bindings."""
    await get_runtime().limiter.hit(f"user:{user_id}", REQUEST_RULES)
    unit = await Unit.filter(id=unit_id, company__status=CompanyStatus.ACTIVE).first()
    if unit is None:
        raise DomainError(Codes.NOT_FOUND, "No such unit", "unitId")
    live = await UnitBinding.filter(
        unit_id=unit.id, user_id=user_id, status__in=[BindingStatus.PENDING, BindingStatus.APPROVED, BindingStatus.INVITED]
    ).exists()
    if live:
        raise DomainError(Codes.DUPLICATE, "You already asked for, hold or are invited to this unit", "unitId")
    row = await UnitBinding.create(
        company_id=unit.company_id, community_id=unit.community_id, unit_id=unit.id,
        user_id=user_id, relation=relation, status=BindingStatus.PENDING,
    )
    _emit(row, "requested")
    return row


async def _pending(*, binding_id: int, company_id: int, communities: frozenset[int] | None) -> UnitBinding:
    row = await UnitBinding.filter(id=binding_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such binding", "id")
    if row.status != BindingStatus.PENDING:
        raise DomainError(ResidentCode.NOT_PENDING, "This request was already reviewed", "id")
    return row


async def review_binding(
    *, binding_id: int, company_id: int, communities: frozenset[int] | None, reviewer_id: int, approve: bool,
    reason: str | None,
) -> UnitBinding:
    """Approve, or reject with a reason, a pending binding request."""
    row = await _pending(binding_id=binding_id, company_id=company_id, communities=communities)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError(Codes.REQUIRED, "Give a reason", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_REASON} characters", "reason")
    row.status = BindingStatus.APPROVED if approve else BindingStatus.REJECTED
    row.reason = reason
    row.reviewed_by_id = reviewer_id
    row.reviewed_at = datetime.now(UTC)
    await row.save()
    _emit(row, "approved" if approve else "rejected")
    return row


async def cancel_request(*, binding_id: int, user_id: int) -> UnitBinding:
    """An owner withdraws their own pending request."""
    row = await UnitBinding.filter(id=binding_id, user_id=user_id).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND, "No such binding", "id")
    if row.status != BindingStatus.PENDING:
        raise DomainError(ResidentCode.NOT_PENDING, "This request was already reviewed", "id")
    row.status = BindingStatus.REMOVED
    await row.save(update_fields=["status", "updated_at"])
    _emit(row, "cancelled")
    return row


async def _owned_unit(*, user_id: int, unit_id: int) -> UnitBinding:
    own = await UnitBinding.filter(
        unit_id=unit_id, user_id=user_id, relation=Relation.OWNER, status=BindingStatus.APPROVED
    ).first()
    if own is None:
        raise DomainError(Codes.NOT_FOUND, "You do not own this unit", "unitId")
    return own


async def add_household_member(*, owner_id: int, unit_id: int, phone: str, name: str, relation: Relation) -> UnitBinding:
    """The unit's owner invites a family member or tenant, who accepts or declines; their account is not touched
    (a new phone gets an account with no name: `name` is only what the owner calls them, kept on the binding)."""
    if relation == Relation.OWNER:
        raise DomainError(Codes.INVALID, "Owners bind through a request", "relation")
    own = await _owned_unit(user_id=owner_id, unit_id=unit_id)
    label = accounts.clean_name(name, required=True)
    normalized = accounts.clean_phone(phone)
    await get_runtime().limiter.hit(f"user:{owner_id}", HOUSEHOLD_ADD_RULES)
    member = await accounts.get_or_create_user(phone=normalized)
    if member.id == owner_id:
        raise DomainError(Codes.INVALID, "You are already bound", "phone")
    if await UnitBinding.filter(
        unit_id=unit_id, user_id=member.id, status__in=[BindingStatus.APPROVED, BindingStatus.INVITED]
    ).exists():
        raise DomainError(Codes.DUPLICATE, "Already in the household or invited", "phone")
    return await UnitBinding.create(
        company_id=own.company_id, community_id=own.community_id, unit_id=unit_id, user_id=member.id,
        relation=relation, status=BindingStatus.INVITED, added_by_id=owner_id, invited_name=label,
    )


async def _invitation(*, binding_id: int, user_id: int) -> UnitBinding:
    row = await UnitBinding.filter(id=binding_id, user_id=user_id, status=BindingStatus.INVITED).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    return row


async def accept_household_invitation(*, binding_id: int, user_id: int) -> UnitBinding:
    """The invited person joins the household, if whoever invited them still owns the unit."""
    row = await _invitation(binding_id=binding_id, user_id=user_id)
    inviter = row.added_by_id
    if inviter is None or not await UnitBinding.filter(
        unit_id=row.unit_id, user_id=inviter, relation=Relation.OWNER, status=BindingStatus.APPROVED
    ).exists():
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    if await UnitBinding.filter(unit_id=row.unit_id, user_id=user_id, status=BindingStatus.APPROVED).exists():
        raise DomainError(Codes.DUPLICATE, "You are already bound to this unit", "id")
    claimed = await UnitBinding.filter(id=row.id, status=BindingStatus.INVITED).update(
        status=BindingStatus.APPROVED, reviewed_at=datetime.now(UTC)
    )
    if claimed != 1:  # answered concurrently
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    # Their own request for the same unit is answered by the invitation.
    await UnitBinding.filter(unit_id=row.unit_id, user_id=user_id, status=BindingStatus.PENDING).update(
        status=BindingStatus.REMOVED
    )
    await row.refresh_from_db()
    return row


async def decline_household_invitation(*, binding_id: int, user_id: int) -> UnitBinding:
    """The invited person says no; the binding ends."""
    row = await _invitation(binding_id=binding_id, user_id=user_id)
    # Conditional, like accepting: a decline racing an accept cannot remove an approved member.
    if not await UnitBinding.filter(id=row.id, status=BindingStatus.INVITED).update(status=BindingStatus.REMOVED):
        raise DomainError(Codes.NOT_FOUND, "No such invitation", "id")
    await row.refresh_from_db()
    return row


async def remove_household_member(*, owner_id: int, binding_id: int) -> UnitBinding:
    """The owner removes a family member or tenant from a unit they own, or withdraws an invitation."""
    row = await UnitBinding.filter(id=binding_id, status__in=[BindingStatus.APPROVED, BindingStatus.INVITED]).first()
    if row is None or row.relation == Relation.OWNER:
        raise DomainError(Codes.NOT_FOUND, "No such household member", "id")
    await _owned_unit(user_id=owner_id, unit_id=row.unit_id)
    row.status = BindingStatus.REMOVED
    await row.save(update_fields=["status", "updated_at"])
    return row
