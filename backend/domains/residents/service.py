"""Residents: owners ask to bind to units, staff review, owners manage their household."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.domains.accounts import service as accounts
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy.models import CompanyStatus, Unit

MAX_REASON = 200


def channel(company_id: int) -> str:
    """Pub/sub channel of a company's binding events."""
    return f"company:{company_id}:bindings"


def _emit(row: UnitBinding, kind: str) -> None:
    events.emit(channel(row.company_id), {"kind": kind, "bindingId": row.id, "communityId": row.community_id})  # type: ignore[attr-defined]


async def request_binding(*, user_id: int, unit_id: int, relation: Relation) -> UnitBinding:
    """An owner asks to be bound to a unit; staff of its community review it."""
    unit = await Unit.filter(id=unit_id, company__status=CompanyStatus.ACTIVE).first()
    if unit is None:
        raise DomainError(Codes.NOT_FOUND, "No such unit", "unitId")
    live = await UnitBinding.filter(
        unit_id=unit.id, user_id=user_id, status__in=[BindingStatus.PENDING, BindingStatus.APPROVED]
    ).exists()
    if live:
        raise DomainError(Codes.DUPLICATE, "You already asked for or hold this unit", "unitId")
    row = await UnitBinding.create(
        company_id=unit.company_id, community_id=unit.community_id, unit_id=unit.id,  # type: ignore[attr-defined]
        user_id=user_id, relation=relation, status=BindingStatus.PENDING,
    )
    _emit(row, "requested")
    return row


async def _pending(*, binding_id: int, company_id: int, communities: frozenset[int] | None) -> UnitBinding:
    row = await UnitBinding.filter(id=binding_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):  # type: ignore[attr-defined]
        raise DomainError(Codes.NOT_FOUND, "No such binding", "id")
    if row.status != BindingStatus.PENDING:
        raise DomainError("NOT_PENDING", "This request was already reviewed", "id")
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
    row.reviewed_by_id = reviewer_id  # type: ignore[attr-defined]
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
        raise DomainError("NOT_PENDING", "This request was already reviewed", "id")
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
    """The unit's owner adds a family member or tenant; no review is needed."""
    if relation == Relation.OWNER:
        raise DomainError(Codes.INVALID, "Owners bind through a request", "relation")
    own = await _owned_unit(user_id=owner_id, unit_id=unit_id)
    member = await accounts.get_or_create_user(phone=phone, name=accounts.clean_name(name, required=True))
    if member.id == owner_id:
        raise DomainError(Codes.INVALID, "You are already bound", "phone")
    if await UnitBinding.filter(unit_id=unit_id, user_id=member.id, status=BindingStatus.APPROVED).exists():
        raise DomainError(Codes.DUPLICATE, "Already in the household", "phone")
    await UnitBinding.filter(unit_id=unit_id, user_id=member.id, status=BindingStatus.PENDING).update(
        status=BindingStatus.REMOVED
    )
    return await UnitBinding.create(
        company_id=own.company_id, community_id=own.community_id, unit_id=unit_id, user_id=member.id,  # type: ignore[attr-defined]
        relation=relation, status=BindingStatus.APPROVED, added_by_id=owner_id, reviewed_at=datetime.now(UTC),
    )


async def remove_household_member(*, owner_id: int, binding_id: int) -> UnitBinding:
    """The owner removes a family member or tenant from a unit they own."""
    row = await UnitBinding.filter(id=binding_id, status=BindingStatus.APPROVED).first()
    if row is None or row.relation == Relation.OWNER:
        raise DomainError(Codes.NOT_FOUND, "No such household member", "id")
    await _owned_unit(user_id=owner_id, unit_id=row.unit_id)  # type: ignore[attr-defined]
    row.status = BindingStatus.REMOVED
    await row.save(update_fields=["status", "updated_at"])
    return row
