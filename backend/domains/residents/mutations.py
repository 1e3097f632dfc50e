"""Thin mutation resolvers for binding requests, their review, household invitations, and owners managed by staff."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id, encode_id
from backend.core.permissions import Perm, community_scope, require_user
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.types import User
from backend.domains.residents import models, service
from backend.domains.residents.types import (
    BindingPayload,
    OwnerCreateInput,
    OwnerPayload,
    OwnerUpdateInput,
    Relation,
    ResidentError,
    UnitBinding,
)


def _done(row: models.UnitBinding, id: str | None = None, **summary: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"binding": UnitBinding.from_model(row)}
    if id is not None:
        out["_audit"] = {"target_type": "UnitBinding", "target_id": id, "summary": summary}
    return out


@strawberry.type
class ResidentsMutation:
    @strawberry.mutation(description="Ask to be bound to a unit as owner, family member or tenant (10 an hour, 30 a day).")
    async def binding_request(self, info: Info, unit_id: strawberry.ID, relation: Relation) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            row = await service.request_binding(
                user_id=uid, unit_id=decode_id(unit_id, "Unit", "unitId"), relation=models.Relation(relation)
            )
            return _done(row)

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="Withdraw your own pending binding request.")
    async def binding_cancel(self, info: Info, id: strawberry.ID) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.cancel_request(binding_id=decode_id(id, "UnitBinding"), user_id=uid))

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="Approve a pending binding request (binding.review).")
    async def binding_approve(self, info: Info, id: strawberry.ID) -> BindingPayload:
        return await _review(info, id, True, None)

    @strawberry.mutation(description="Reject a pending binding request with a reason (binding.review).")
    async def binding_reject(self, info: Info, id: strawberry.ID, reason: str) -> BindingPayload:
        return await _review(info, id, False, reason)

    @strawberry.mutation(description="As a unit's owner, invite a family member or tenant by phone (20 a day); they "
                                     "join when they accept. `name` is what you call them: only you see it, and it is "
                                     "never shown as or copied to their account's name.")
    async def household_member_add(
        self, info: Info, unit_id: strawberry.ID, phone: str, name: str, relation: Relation
    ) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            row = await service.add_household_member(
                owner_id=uid, unit_id=decode_id(unit_id, "Unit", "unitId"), phone=phone, name=name,
                relation=models.Relation(relation),
            )
            return _done(row)

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="As a unit's owner, remove a family member or tenant, or withdraw an invitation.")
    async def household_member_remove(self, info: Info, id: strawberry.ID) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.remove_household_member(owner_id=uid, binding_id=decode_id(id, "UnitBinding")))

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="Accept an invitation to a unit's household that was sent to you.")
    async def household_invitation_accept(self, info: Info, id: strawberry.ID) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.accept_household_invitation(binding_id=decode_id(id, "UnitBinding"), user_id=uid))

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="Decline an invitation to a unit's household that was sent to you.")
    async def household_invitation_decline(self, info: Info, id: strawberry.ID) -> BindingPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.decline_household_invitation(binding_id=decode_id(id, "UnitBinding"), user_id=uid))

        return await run_mutation(info, BindingPayload, ResidentError, run)

    @strawberry.mutation(description="Add a person by name and phone and bind them to units, approved (binding.review "
                                     "over those units). An existing account is bound as it is: its name, phone and "
                                     "credentials are never changed.")
    async def owner_create(self, info: Info, input: OwnerCreateInput) -> OwnerPayload:
        async def run() -> dict[str, Any]:
            company_id, scope = community_scope(info.context, Perm.BINDING_REVIEW)
            units = [service.UnitSpec(unit_id=decode_id(u.unit_id, "Unit", f"units.{i}.unitId"),
                                      relation=models.Relation(u.relation)) for i, u in enumerate(input.units)]
            uid, rows = await service.create_owner(
                company_id=company_id, communities=scope, staff_id=require_user(info.context), name=input.name,
                phone=input.phone, units=units,
            )
            return await _owner(info, uid, name=input.name.strip(), units=len(rows))

        return await run_mutation(info, OwnerPayload, ResidentError, run, audit="owner.create")

    @strawberry.mutation(description="Change the name the company knows an owner by (binding.review over one of their "
                                     "units); the person's own name stays theirs.")
    async def owner_update(self, info: Info, id: strawberry.ID, input: OwnerUpdateInput) -> OwnerPayload:
        async def run() -> dict[str, Any]:
            company_id, scope = community_scope(info.context, Perm.BINDING_REVIEW)
            uid = await service.rename_owner(
                company_id=company_id, communities=scope, staff_id=require_user(info.context),
                user_id=decode_id(id, "User"), name=input.name,
            )
            return await _owner(info, uid, name=input.name.strip())

        return await run_mutation(info, OwnerPayload, ResidentError, run, audit="owner.update")

    @strawberry.mutation(description="Bind an owner to another unit, approved (binding.review over the unit and one of "
                                     "the owner's units); DUPLICATE when they are already bound to it.")
    async def owner_unit_add(
        self, info: Info, owner_id: strawberry.ID, unit_id: strawberry.ID, relation: Relation
    ) -> BindingPayload:
        async def run() -> dict[str, Any]:
            company_id, scope = community_scope(info.context, Perm.BINDING_REVIEW)
            row = await service.add_owner_unit(
                company_id=company_id, communities=scope, staff_id=require_user(info.context),
                user_id=decode_id(owner_id, "User", "ownerId"), unit_id=decode_id(unit_id, "Unit", "unitId"),
                relation=models.Relation(relation),
            )
            return _done(row, encode_id("UnitBinding", row.id), relation=row.relation.value, unit=row.unit_id)

        return await run_mutation(info, BindingPayload, ResidentError, run, audit="binding.add")

    @strawberry.mutation(description="Unbind a resident from a unit, with a reason (binding.review); the binding becomes "
                                     "REMOVED. NOT_BOUND when it is not approved.")
    async def binding_remove(self, info: Info, id: strawberry.ID, reason: str) -> BindingPayload:
        async def run() -> dict[str, Any]:
            company_id, scope = community_scope(info.context, Perm.BINDING_REVIEW)
            row = await service.remove_binding(
                binding_id=decode_id(id, "UnitBinding"), company_id=company_id, communities=scope,
                staff_id=require_user(info.context), reason=reason,
            )
            return _done(row, id, reason=row.reason)

        return await run_mutation(info, BindingPayload, ResidentError, run, audit="binding.remove")


async def _owner(info: Info, user_id: int, **summary: Any) -> dict[str, Any]:
    row = await USER.of(info.context).load(user_id)
    assert row is not None  # just bound, so it exists
    return {"owner": User.from_model(row),
            "_audit": {"target_type": "User", "target_id": encode_id("User", user_id), "summary": summary}}


async def _review(info: Info, id: strawberry.ID, approve: bool, reason: str | None) -> BindingPayload:
    async def run() -> dict[str, Any]:
        company_id, scope = community_scope(info.context, Perm.BINDING_REVIEW)
        row = await service.review_binding(
            binding_id=decode_id(id, "UnitBinding"), company_id=company_id, communities=scope,
            reviewer_id=require_user(info.context), approve=approve, reason=reason,
        )
        return _done(row, id, approve=approve, reason=reason)

    return await run_mutation(info, BindingPayload, ResidentError, run,
                              audit="binding.approve" if approve else "binding.reject")
