"""Thin resolvers for the binding queue and the owner list."""

from __future__ import annotations

import strawberry
from tortoise.expressions import Q, Subquery

from backend.core.access import nodes_by_pk
from backend.core.context import Context
from backend.core.crypto import InvalidPhone, normalize_phone, phone_hash
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, register_node, to_error
from backend.core.ids import decode_id, encode_id
from backend.core.pagination import Connection, paginate
from backend.core.permissions import Perm, community_scope, require_user, scoped
from backend.domains.accounts.models import User as UserModel
from backend.domains.accounts.types import User
from backend.domains.residents import models, service
from backend.domains.residents.types import (
    BindingFilter,
    HomeBuilding,
    HomeCommunity,
    HomeUnit,
    HomeUnitPayload,
    OwnerFilter,
    ResidentError,
    UnitBinding,
)


async def list_bindings(
    ctx: Context, *, first: int | None, after: str | None, status: models.BindingStatus | None, community_pk: int | None
) -> Connection[UnitBinding]:
    qs = scoped(models.UnitBinding.all(), ctx, Perm.BINDING_REVIEW)
    if status is not None:
        qs = qs.filter(status=status)
    if community_pk is not None:
        qs = qs.filter(community_id=community_pk)
    return await paginate(qs, first=first, after=after, to_node=UnitBinding.from_model, descending=True)


async def list_owners(ctx: Context, *, first: int | None, after: str | None, f: OwnerFilter) -> Connection[User]:
    """People with an approved binding in the caller's communities."""
    bindings = scoped(models.UnitBinding.filter(status=models.BindingStatus.APPROVED), ctx, Perm.OWNER_READ)
    if f.community_id:
        bindings = bindings.filter(community_id=decode_id(f.community_id, "Community", "communityId"))
    if f.relation is not None:
        bindings = bindings.filter(relation=f.relation)
    if f.unit_number:
        if len(f.unit_number) > 20:
            raise DomainError(Codes.TOO_LONG, "At most 20 characters", "unitNumber")
        bindings = bindings.filter(unit__number=f.unit_number.strip())
    # Tortoise takes a subquery for __in only wrapped in Subquery (a bare ValuesQuery raises TypeError).
    qs = UserModel.filter(id__in=Subquery(bindings.values("user_id")))
    if f.search:
        if len(f.search) > 50:
            raise DomainError(Codes.TOO_LONG, "At most 50 characters", "search")
        # The person's own name, or the name this company knows them by (residents.models.ResidentProfile).
        company_id, _ = community_scope(ctx, Perm.OWNER_READ)
        known = models.ResidentProfile.filter(company_id=company_id, name__icontains=f.search.strip())
        qs = qs.filter(Q(name__icontains=f.search.strip()) | Q(id__in=Subquery(known.values("user_id"))))
    if f.phone:
        try:
            qs = qs.filter(phone_hash=phone_hash(normalize_phone(f.phone)))
        except InvalidPhone:
            raise DomainError(Codes.INVALID_PHONE, "Not a valid mobile number", "phone") from None
    return await paginate(qs, first=first, after=after, to_node=User.from_model)


@strawberry.type
class ResidentsQuery:
    @strawberry.field(description="Binding requests to review, newest first (binding.review).")
    async def bindings(
        self, info: Info, filter: BindingFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[UnitBinding]:
        f = filter or BindingFilter()
        cpk = decode_id(f.community_id, "Community", "communityId") if f.community_id else None
        return await list_bindings(info.context, first=first, after=after, status=f.status, community_pk=cpk)

    @strawberry.field(description="Owners and residents of the caller's communities (owner.read).")
    async def owners(
        self, info: Info, filter: OwnerFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[User]:
        return await list_owners(info.context, first=first, after=after, f=filter or OwnerFilter())

    @strawberry.field(description="Communities whose name contains `search` (at least 2 characters; at most 20), "
                                  "for finding one's home. Any signed-in person.")
    async def home_communities(self, info: Info, search: str) -> list[HomeCommunity]:
        require_user(info.context)
        rows = await service.find_communities(search=search)
        return [HomeCommunity(id=strawberry.ID(encode_id("Community", c.id)), name=c.name, address=c.address)
                for c in rows]

    @strawberry.field(description="The buildings of a community found with homeCommunities, by name.")
    async def home_buildings(self, info: Info, community_id: strawberry.ID) -> list[HomeBuilding]:
        require_user(info.context)
        rows = await service.community_buildings(community_id=decode_id(community_id, "Community", "communityId"))
        return [HomeBuilding(id=strawberry.ID(encode_id("Building", b.id)), name=b.name) for b in rows]

    @strawberry.field(description="The unit with exactly this number in a building, to ask to be bound to it "
                                  "(bindingRequest). 30 lookups an hour per person; the answer says nothing of who "
                                  "lives there.")
    async def home_unit(self, info: Info, building_id: strawberry.ID, number: str) -> HomeUnitPayload:
        uid = require_user(info.context)
        try:
            u = await service.find_unit(user_id=uid, building_id=decode_id(building_id, "Building", "buildingId"),
                                        number=number)
        except DomainError as exc:
            return HomeUnitPayload(unit=None, errors=[to_error(ResidentError, exc)])
        label = f"{u.community.name} {u.building.name} {u.number}"
        return HomeUnitPayload(unit=HomeUnit(id=strawberry.ID(encode_id("Unit", u.id)), label=label, floor=u.floor),
                               errors=[])


bindings_for = nodes_by_pk(models.UnitBinding, UnitBinding.from_model)
register_node(UnitBinding, bindings_for)
