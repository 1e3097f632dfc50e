"""GraphQL types of the residents domain: unit bindings and household inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from backend.core.context import Context
from backend.core.errors import DomainError
from backend.core.gql import Node, error_types
from backend.core.permissions import Perm, has_perm
from backend.domains.accounts.types import User
from backend.domains.residents import models
from backend.domains.tenancy.types import Community, Unit

Relation = strawberry.enum(models.Relation, description="How a person is tied to a unit.")
BindingStatus = strawberry.enum(models.BindingStatus, description="Where a binding request stands.")
ResidentErrors = error_types("Resident", ["NOT_PENDING"])
ResidentError = ResidentErrors[1]


@strawberry.type(description="A person's tie to a unit: owner, family member or tenant.")
class UnitBinding(Node):
    relation: Relation = strawberry.field(description="Owner, family or tenant.")  # type: ignore[valid-type]
    status: BindingStatus = strawberry.field(description="Pending, approved, rejected or removed.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why it was rejected, if it was.")
    created_at: datetime = strawberry.field(description="When it was asked for (UTC).")
    reviewed_at: datetime | None = strawberry.field(description="When staff reviewed it (UTC).")
    _unit_id: strawberry.Private[int]
    _user_id: strawberry.Private[int]
    _community_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.UnitBinding) -> UnitBinding:
        return cls(
            _pk=m.id, relation=m.relation, status=m.status, reason=m.reason, created_at=m.created_at,
            reviewed_at=m.reviewed_at, _unit_id=m.unit_id, _user_id=m.user_id, _community_id=m.community_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The unit.")
    async def unit(self, info: Info) -> Unit:
        return Unit.from_model(await info.context.loaders["unit"].load(self._unit_id))

    @strawberry.field(description="The community of the unit.")
    async def community(self, info: Info) -> Community:
        return Community.from_model(await info.context.loaders["community"].load(self._community_id))

    @strawberry.field(description="The person.")
    async def user(self, info: Info) -> User:
        return User.from_model(await info.context.loaders["user"].load(self._user_id))


async def unit_residents(ctx: Context, *, unit_pk: int, community_pk: int) -> list[Any]:
    """Approved residents of a unit, for staff with owner.read there or for the unit's own residents."""
    rows = await ctx.loaders["residents_by_unit"].load(unit_pk)
    p = ctx.principal
    if has_perm(ctx, Perm.OWNER_READ, community_pk) or (p is not None and any(r.user_id == p.user_id for r in rows)):
        return rows
    raise DomainError("FORBIDDEN", "You may not see who lives here")


@strawberry.input(description="Filters for binding requests.")
class BindingFilter:
    status: BindingStatus | None = strawberry.field(default=None, description="Only this status.")  # type: ignore[valid-type]
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")


@strawberry.input(description="Filters for the owner list.")
class OwnerFilter:
    community_id: strawberry.ID | None = strawberry.field(default=None, description="Only this community.")
    search: str | None = strawberry.field(default=None, description="Name contains this.")
    phone: str | None = strawberry.field(default=None, description="Exact mobile number.")
    unit_number: str | None = strawberry.field(default=None, description="Bound to a unit with this number.")
    relation: Relation | None = strawberry.field(default=None, description="Only this relation.")  # type: ignore[valid-type]


@strawberry.type(description="Result of a binding change.")
class BindingPayload:
    binding: UnitBinding | None = strawberry.field(description="The binding, when it worked.")
    errors: list[ResidentError] = strawberry.field(description="Why it did not work.")  # type: ignore[valid-type]
