"""Residents: owners ask to bind to units, staff review, owners invite their household, who accept or decline;
staff also add owners, bind them to units and unbind them by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime
from backend.domains.accounts import service as accounts
from backend.domains.residents.errors import ResidentCode
from backend.domains.residents.models import BindingStatus, Relation, ResidentProfile, UnitBinding
from backend.domains.tenancy.models import Building, Community, CompanyStatus, Unit

MAX_REASON = 200
MAX_UNITS = 20  # units given at once when staff add an owner
# Each request reaches the staff of a unit's community, and each invitation a person's phone: both are capped per
# caller so neither can be used to flood reviewers or strangers.
REQUEST_RULES = (Rule("binding_request_hour", 10, 3600), Rule("binding_request_day", 30, 86400))
HOUSEHOLD_ADD_RULES = (Rule("household_add_day", 20, 86400),)
# Finding one's unit takes an exact number; every lookup counts, so a person cannot walk a building's numbers.
LOOKUP_RULES = (Rule("home_lookup_hour", 30, 3600),)
MIN_SEARCH, MAX_SEARCH, MAX_COMMUNITIES = 2, 50, 20


def channel(company_id: int) -> str:
    """Pub/sub channel of a company's binding events."""
    return f"company:{company_id}:bindings"


def user_channel(user_id: int) -> str:
    """Pub/sub channel of the events of one person's own bindings (viewerBindingEvents)."""
    return f"user:{user_id}:bindings"


def _emit(row: UnitBinding, kind: str, *, staff: bool = True) -> None:
    """After commit: the company's reviewers hear of requests (staff=True), the person of every change to theirs."""
    message = {"kind": kind, "bindingId": row.id, "communityId": row.community_id}
    if staff:
        events.emit(channel(row.company_id), message)
    events.emit(user_channel(row.user_id), message)


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


async def find_communities(*, search: str) -> list[Community]:
    """Communities of active companies whose name contains `search` (at least 2 characters), for a person looking
    for their home: names and addresses only, which are public anyway."""
    text = search.strip()
    if len(text) > MAX_SEARCH:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_SEARCH} characters", "search")
    if len(text) < MIN_SEARCH:
        return []
    return await Community.filter(name__icontains=text, company__status=CompanyStatus.ACTIVE).order_by(
        "name", "id").limit(MAX_COMMUNITIES)


async def community_buildings(*, community_id: int) -> list[Building]:
    """The buildings of a community of an active company, by name (an unknown community has none)."""
    return await Building.filter(community_id=community_id, company__status=CompanyStatus.ACTIVE).order_by(
        "name", "id").limit(500)


async def find_unit(*, user_id: int, building_id: int, number: str) -> Unit:
    """The unit with exactly this number in a building, for a person asking to be bound to it. The answer says only
    whether the number exists: nothing of who lives there or whether anyone has asked for it."""
    text = number.strip()
    if not text:
        raise DomainError(Codes.REQUIRED, "Enter the unit number", "number")
    if len(text) > 20:
        raise DomainError(Codes.TOO_LONG, "At most 20 characters", "number")
    await get_runtime().limiter.hit(f"user:{user_id}", LOOKUP_RULES, field="number")
    unit = await Unit.filter(building_id=building_id, number=text, company__status=CompanyStatus.ACTIVE).select_related(
        "building", "community").first()
    if unit is None:
        raise DomainError(Codes.NOT_FOUND, "No unit with this number in this building", "number")
    return unit


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
    reason = _reason(reason, required=not approve)
    if approve:
        await _lock_unit(unit_id=row.unit_id)
        await _refuse_second_binding(unit_id=row.unit_id, user_id=row.user_id, field="id")
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
    row = await UnitBinding.create(
        company_id=own.company_id, community_id=own.community_id, unit_id=unit_id, user_id=member.id,
        relation=relation, status=BindingStatus.INVITED, added_by_id=owner_id, invited_name=label,
    )
    _emit(row, "invited", staff=False)
    return row


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
    await _lock_unit(unit_id=row.unit_id)
    await _refuse_second_binding(unit_id=row.unit_id, user_id=user_id, field="id")
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
    _emit(row, "removed", staff=False)
    return row


# --- staff manage owners by hand ---------------------------------------------------------------------------------
#
# One approved binding per person and unit, under concurrency: every path that approves a binding first locks the
# unit's row (SELECT ... FOR UPDATE; SQLite runs one write transaction at a time) and then looks for an approved
# binding with a locking read, which sees rows committed meanwhile even under MariaDB's REPEATABLE READ.


@dataclass(frozen=True)
class UnitSpec:
    unit_id: int
    relation: Relation


def _reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError(Codes.REQUIRED, "Give a reason", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_REASON} characters", "reason")
    return reason


async def _lock_unit(*, unit_id: int) -> None:
    # Rows, not values_list(): Tortoise drops FOR UPDATE from values queries.
    await Unit.filter(id=unit_id).select_for_update().first()


async def _refuse_second_binding(*, unit_id: int, user_id: int, field: str) -> None:
    held = await UnitBinding.filter(unit_id=unit_id, user_id=user_id, status=BindingStatus.APPROVED
                                    ).select_for_update().first()
    if held is not None:
        raise DomainError(Codes.DUPLICATE, "Already bound to this unit", field)


async def _staff_unit(*, unit_id: int, company_id: int, communities: frozenset[int] | None, field: str) -> Unit:
    """A unit of the caller's company within their communities, locked for the binding about to be made."""
    qs = Unit.filter(id=unit_id, company_id=company_id)
    if communities is not None:
        qs = qs.filter(community_id__in=list(communities))
    unit = await qs.select_for_update().first()
    if unit is None:
        raise DomainError(Codes.NOT_FOUND, "No such unit", field)
    return unit


async def _staff_bind(*, user_id: int, unit: Unit, relation: Relation, staff_id: int, field: str) -> UnitBinding:
    await _refuse_second_binding(unit_id=unit.id, user_id=user_id, field=field)
    # The person's own request, or an invitation, for this unit is answered by the binding staff make.
    await UnitBinding.filter(unit_id=unit.id, user_id=user_id,
                             status__in=[BindingStatus.PENDING, BindingStatus.INVITED]).update(status=BindingStatus.REMOVED)
    return await UnitBinding.create(
        company_id=unit.company_id, community_id=unit.community_id, unit_id=unit.id, user_id=user_id,
        relation=relation, status=BindingStatus.APPROVED, added_by_id=staff_id, reviewed_by_id=staff_id,
        reviewed_at=datetime.now(UTC),
    )


async def _known_owner(*, user_id: int, company_id: int, communities: frozenset[int] | None) -> None:
    """Staff act on a person only through an approved binding in their own communities (else NOT_FOUND, as for
    anyone they cannot see)."""
    qs = UnitBinding.filter(user_id=user_id, company_id=company_id, status=BindingStatus.APPROVED)
    if communities is not None:
        qs = qs.filter(community_id__in=list(communities))
    if not await qs.exists():
        raise DomainError(Codes.NOT_FOUND, "No such owner", "id")


async def _set_known_name(*, company_id: int, user_id: int, name: str, staff_id: int) -> None:
    updated = await ResidentProfile.filter(company_id=company_id, user_id=user_id).update(name=name,
                                                                                       updated_by_id=staff_id)
    if updated:
        return
    try:
        async with in_transaction():  # a savepoint: a profile created concurrently is updated instead
            await ResidentProfile.create(company_id=company_id, user_id=user_id, name=name, updated_by_id=staff_id)
    except IntegrityError:
        await ResidentProfile.filter(company_id=company_id, user_id=user_id).update(name=name, updated_by_id=staff_id)


async def create_owner(
    *, company_id: int, communities: frozenset[int] | None, staff_id: int, name: str, phone: str,
    units: Sequence[UnitSpec],
) -> tuple[int, list[UnitBinding]]:
    """Staff add a person by name and phone and bind them to units at once; returns (user id, bindings).

    A new phone gets an account with no name and no password, which its owner completes by signing in with an SMS
    code. A phone that already has an account binds it only if the company already knows the person (an approved
    binding in the staff member's communities), and then leaves its name, phone and credentials as they are
    (nobody changes another person's account). An account the company does not know is refused (HAS_ACCOUNT):
    binding it would show staff the person's own name, and their other data, for any number they type; the person
    asks for the unit in the owner app and staff approve it in binding review. `name` is how this company knows the person: it is kept in the
    company's ResidentProfile, shown to its staff (UnitBinding.knownAs), never copied to User.name. At least one
    unit is required: staff see people only through their bindings, so an owner with none would vanish at once.
    """
    label = accounts.clean_name(name, required=True)
    normalized = accounts.clean_phone(phone)
    if not units:
        raise DomainError(Codes.REQUIRED, "Give at least one unit", "units")
    if len(units) > MAX_UNITS:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_UNITS} units", "units")
    if len({u.unit_id for u in units}) != len(units):
        raise DomainError(Codes.DUPLICATE, "A unit is given twice", "units")
    found: dict[int, Unit] = {}
    for i, spec in sorted(enumerate(units), key=lambda iu: iu[1].unit_id):  # one lock order: no deadlock
        found[i] = await _staff_unit(unit_id=spec.unit_id, company_id=company_id, communities=communities,
                                     field=f"units.{i}.unitId")
    person, created = await accounts.find_or_create_user(phone=normalized)
    if person.is_platform_admin:  # platform administrators are outside every company's reach
        raise DomainError(Codes.FORBIDDEN, "This number belongs to a platform administrator", "phone")
    if not created:
        try:
            await _known_owner(user_id=person.id, company_id=company_id, communities=communities)
        except DomainError:
            raise DomainError(ResidentCode.HAS_ACCOUNT, "This number already has an account: ask the person to "
                              "request the unit in the owner app, then approve it in binding review",
                              "phone") from None
    rows = [await _staff_bind(user_id=person.id, unit=found[i], relation=spec.relation, staff_id=staff_id,
                              field=f"units.{i}.unitId") for i, spec in enumerate(units)]
    await _set_known_name(company_id=company_id, user_id=person.id, name=label, staff_id=staff_id)
    return person.id, rows


async def rename_owner(
    *, company_id: int, communities: frozenset[int] | None, staff_id: int, user_id: int, name: str
) -> int:
    """Change the name this company knows an owner by (its ResidentProfile); the person's own name is untouched."""
    label = accounts.clean_name(name, required=True)
    await _known_owner(user_id=user_id, company_id=company_id, communities=communities)
    await _set_known_name(company_id=company_id, user_id=user_id, name=label, staff_id=staff_id)
    return user_id


async def add_owner_unit(
    *, company_id: int, communities: frozenset[int] | None, staff_id: int, user_id: int, unit_id: int,
    relation: Relation,
) -> UnitBinding:
    """Staff bind an owner they manage to another unit: an approved binding, made and reviewed by them."""
    await _known_owner(user_id=user_id, company_id=company_id, communities=communities)
    unit = await _staff_unit(unit_id=unit_id, company_id=company_id, communities=communities, field="unitId")
    return await _staff_bind(user_id=user_id, unit=unit, relation=relation, staff_id=staff_id, field="unitId")


async def remove_binding(
    *, binding_id: int, company_id: int, communities: frozenset[int] | None, staff_id: int, reason: str
) -> UnitBinding:
    """Staff unbind a resident from a unit, with a reason; the binding becomes REMOVED (the person's household
    invitations from that unit can no longer be accepted, as their inviter no longer owns it)."""
    text = _reason(reason, required=True)
    row = await UnitBinding.filter(id=binding_id, company_id=company_id).first()
    if row is None or (communities is not None and row.community_id not in communities):
        raise DomainError(Codes.NOT_FOUND, "No such binding", "id")
    # Conditional, so two staff unbinding at once cannot both succeed.
    if not await UnitBinding.filter(id=row.id, status=BindingStatus.APPROVED).update(
            status=BindingStatus.REMOVED, reason=text, reviewed_by_id=staff_id, reviewed_at=datetime.now(UTC)):
        raise DomainError(ResidentCode.NOT_BOUND, "This binding is not in force", "id")
    await row.refresh_from_db()
    _emit(row, "removed", staff=False)
    return row
