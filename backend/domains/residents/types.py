"""GraphQL types of the residents domain: unit bindings and household inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from backend.core.context import Context, LoaderKey, loader
from backend.core.crypto import mask_phone, open_phone
from backend.core.gql import Info, Node, PayloadError, error_type
from backend.core.permissions import Perm, covers
from backend.core.prefetch import loaded
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.types import User
from backend.domains.residents import models
from backend.domains.residents.errors import ResidentCode
from backend.domains.residents.models import BindingStatus, Relation
from backend.domains.tenancy.loaders import COMMUNITY, UNIT
from backend.domains.tenancy.models import Unit as UnitModel
from backend.domains.tenancy.types import Community, Unit

strawberry.enum(Relation, description="How a person is tied to a unit.")
strawberry.enum(BindingStatus, description="Where a binding request stands.")


@error_type("Resident", ResidentCode)
class ResidentError(PayloadError):
    pass


@strawberry.type(description="A person's tie to a unit: owner, family member or tenant.")
class UnitBinding(Node):
    relation: Relation = strawberry.field(description="Owner, family or tenant.")
    status: BindingStatus = strawberry.field(description="Pending, approved, rejected or removed.")
    reason: str = strawberry.field(description="Why it was rejected, if it was.")
    created_at: datetime = strawberry.field(description="When it was asked for (UTC).")
    reviewed_at: datetime | None = strawberry.field(description="When staff reviewed it (UTC).")
    _unit_id: strawberry.Private[int]
    _user_id: strawberry.Private[int]
    _community_id: strawberry.Private[int]
    _company_id: strawberry.Private[int]
    _added_by_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.UnitBinding) -> UnitBinding:
        return cls(
            _pk=m.id, relation=m.relation, status=m.status, reason=m.reason, created_at=m.created_at,
            reviewed_at=m.reviewed_at, _unit_id=m.unit_id, _user_id=m.user_id, _community_id=m.community_id,
            _company_id=m.company_id, _added_by_id=m.added_by_id,
        )

    @strawberry.field(description="The unit; null when the caller may not see it (a request shows its requester "
                                  "nothing of the unit until it is approved).")
    @loaded(UNIT, lambda self: self._unit_id, visible=True)
    def unit(self, row: Any) -> Unit | None:
        return Unit.from_model(row)

    @strawberry.field(description="The community of the unit; null when the caller may not see it.")
    @loaded(COMMUNITY, lambda self: self._community_id, visible=True)
    def community(self, row: Any) -> Community | None:
        return Community.from_model(row)

    @strawberry.field(description="The person; null when the caller may not see them (an invitation not yet "
                                  "accepted).")
    @loaded(USER, lambda self: self._user_id, visible=True)
    def user(self, row: Any) -> User | None:
        return User.from_model(row) if row is not None else None

    @strawberry.field(description="For the owner who invited this person into the household: the name they gave and "
                                  "the masked phone (the person's own name stays theirs); null for everyone else.")
    async def invitation(self, info: Info) -> HouseholdInvitation | None:
        p = info.context.principal
        if p is None:
            return None
        row = await HOUSEHOLD_INVITATION.of(info.context).load(self._pk)
        if row is None or row["added_by_id"] != p.user_id or not row["invited_name"]:
            return None
        return HouseholdInvitation(name=row["invited_name"], phone=mask_phone(open_phone(row["user__phone_enc"], row["user__phone_hash"])))


    @strawberry.field(description="The name this unit's company knows the person by (given by its staff when "
                                  "adding or editing them; the person's own name stays theirs); null when staff gave "
                                  "none, and for anyone but the company's staff with owner.read or binding.review.")
    async def known_as(self, info: Info) -> str | None:
        ctx = info.context
        if not (covers(ctx, Perm.OWNER_READ, self._company_id, self._community_id)
                or covers(ctx, Perm.BINDING_REVIEW, self._company_id, self._community_id)):
            return None
        return await KNOWN_AS.of(ctx).load((self._company_id, self._user_id))

    @strawberry.field(description="The unit in words, e.g. 阳光花园 1号楼 302: for whoever sees this binding, so a "
                                  "requester knows which unit they asked for before `unit` is theirs to see.")
    async def unit_label(self, info: Info) -> str:
        return await UNIT_LABEL.of(info.context).load(self._unit_id)

    @strawberry.field(description="For the invited person, while the invitation waits for their answer: the name of "
                                  "the owner who invited them; null for everyone else.")
    async def invited_by(self, info: Info) -> str | None:
        p = info.context.principal
        if (p is None or p.user_id != self._user_id or self._added_by_id is None
                or str(getattr(self.status, "value", self.status)) != BindingStatus.INVITED.value):
            return None
        inviter = await USER.of(info.context).load(self._added_by_id)
        return inviter.name if inviter is not None else None


@strawberry.input(description="Filters for binding requests.")
class BindingFilter:
    status: BindingStatus | None = strawberry.field(default=None, description="Only this status.")
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")


@strawberry.input(description="Filters for the owner list.")
class OwnerFilter:
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")
    search: str | None = strawberry.field(default=None, description="Their own name, or the name the company "
                                                                   "knows them by, contains this.")
    phone: str | None = strawberry.field(default=None, description="Exact mobile number.")
    unit_number: str | None = strawberry.field(default=None, description="Bound to a unit with this number.")
    relation: Relation | None = strawberry.field(default=None, description="Only this relation.")


@strawberry.type(description="Result of a binding change.")
class BindingPayload:
    binding: UnitBinding | None = strawberry.field(description="The binding, when it worked.")
    errors: list[ResidentError] = strawberry.field(description="Why it did not work.")


@strawberry.input(description="A unit to bind an owner to, and how they are tied to it.")
class OwnerUnitInput:
    unit_id: strawberry.ID = strawberry.field(description="The unit, in the caller's communities.")
    relation: Relation = strawberry.field(description="Owner, family or tenant.")


@strawberry.input(description="A person staff add by hand.")
class OwnerCreateInput:
    name: str = strawberry.field(description="How the company knows them, at most 50 characters; kept by the company "
                                             "(UnitBinding.knownAs), never written to the person's account.")
    phone: str = strawberry.field(description="Mobile number. A number with an account binds that account, which is "
                                              "not changed; a new number gets an account without name or password.")
    units: list[OwnerUnitInput] = strawberry.field(description="Units to bind them to at once (1 to 20), approved.")


@strawberry.input(description="Changes to how the company knows an owner.")
class OwnerUpdateInput:
    name: str = strawberry.field(description="The company's name for them, at most 50 characters.")


@strawberry.type(description="Result of adding or editing an owner.")
class OwnerPayload:
    owner: User | None = strawberry.field(description="The person, when it worked.")
    errors: list[ResidentError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="How the owner who invited someone into the household knows them.")
class HouseholdInvitation:
    name: str = strawberry.field(description="The name the owner gave when inviting them.")
    phone: str = strawberry.field(description="Their mobile number, masked (138****1234).")


async def household_invitations(ctx: Context, keys: list[int]) -> list[dict[str, Any] | None]:
    """Who added each binding, the name they gave and the person's phone, by binding id (one query)."""
    rows = await models.UnitBinding.filter(id__in=keys).values("id", "added_by_id", "invited_name", "user__phone_enc",
                                                           "user__phone_hash")
    by_id = {r["id"]: r for r in rows}
    return [by_id.get(k) for k in keys]


# Registered here, beside the type that reads it (residents.loaders imports this module).
HOUSEHOLD_INVITATION: LoaderKey[int, dict[str, Any] | None] = loader("household_invitation",
                                                                      household_invitations)


async def known_names(ctx: Context, keys: list[tuple[int, int]]) -> list[str | None]:
    """The company's name for each (company, user), from ResidentProfile (one query)."""
    rows = await models.ResidentProfile.filter(user_id__in={u for _, u in keys}).values("company_id", "user_id",
                                                                                      "name")
    by_key = {(r["company_id"], r["user_id"]): r["name"] for r in rows}
    return [by_key.get(k) for k in keys]


KNOWN_AS: LoaderKey[tuple[int, int], str | None] = loader("resident_known_as", known_names)


async def unit_labels(ctx: Context, keys: list[int]) -> list[str]:
    """"Community building number" of each unit (one query; the holder of the binding decided it may be shown)."""
    rows = await UnitModel.filter(id__in=keys).values("id", "number", "building__name", "community__name")
    by_id = {r["id"]: f"{r['community__name']} {r['building__name']} {r['number']}" for r in rows}
    return [by_id.get(k, "") for k in keys]


UNIT_LABEL: LoaderKey[int, str] = loader("unit_label", unit_labels, shared=True)


@strawberry.type(description="A community found by name, for a person looking for their home.")
class HomeCommunity:
    id: strawberry.ID = strawberry.field(description="The community's global ID (for homeBuildings).")
    name: str = strawberry.field(description="Name of the community.")
    address: str = strawberry.field(description="Street address.")


@strawberry.type(description="A building of a community, for a person looking for their home.")
class HomeBuilding:
    id: strawberry.ID = strawberry.field(description="The building's global ID (for homeUnit).")
    name: str = strawberry.field(description="Name or number of the building.")


@strawberry.type(description="A unit found by its exact number: what its resident needs to ask to be bound to it, "
                             "and nothing of who lives there.")
class HomeUnit:
    id: strawberry.ID = strawberry.field(description="The unit's global ID, for bindingRequest(unitId:).")
    label: str = strawberry.field(description="Community, building and number, e.g. 阳光花园 1号楼 101.")
    floor: int = strawberry.field(description="Floor the unit is on.")


@strawberry.type(description="The unit found, or why not.")
class HomeUnitPayload:
    unit: HomeUnit | None = strawberry.field(description="The unit; null when refused.")
    errors: list[ResidentError] = strawberry.field(description="Why it was not found (NOT_FOUND, RATE_LIMITED, ...).")
