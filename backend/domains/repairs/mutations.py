"""Thin mutation resolvers: owners report, cancel, reopen and rate; staff dispatch; technicians work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from backend.core.context import Context
from backend.core.crypto import open_phone
from backend.core.gql import Info, run_mutation
from backend.core.ids import decode_id, decode_ids, encode_id
from backend.core.permissions import Perm, community_scope, require_perm, require_user
from backend.core.runtime import get_runtime
from backend.domains.accounts.models import User as UserModel
from backend.domains.repairs import config, dispatch, location, models, service, workflow
from backend.domains.repairs.access import notable_ticket
from backend.domains.repairs.types import (
    RepairCategory,
    RepairCategoryInput,
    RepairCategoryPayload,
    RepairError,
    RepairSettings,
    RepairSettingsInput,
    RepairSettingsPayload,
    TechnicianSkillsPayload,
    Ticket,
    TicketCreateInput,
    TicketPayload,
    TicketPositionInput,
    TicketRateInput,
)

MAX_FILE_IDS = workflow.MAX_PHOTOS + 1


def _file_ids(ids: list[strawberry.ID] | None) -> list[int]:
    return decode_ids(list(ids or []), "StoredFile", "fileIds", limit=MAX_FILE_IDS)


def _done(row: models.Ticket, audit: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"ticket": Ticket.from_model(row)}
    if audit is not None:
        out["_audit"] = {"target_type": "Ticket", "target_id": encode_id("Ticket", row.id), "summary": audit}
    return out


def _worker(ctx: Context) -> dict[str, Any]:
    """Company, communities, staff member and user of a technician caller (ticket.work), as service kwargs."""
    company_id, scope = community_scope(ctx, Perm.TICKET_WORK)
    p = ctx.principal
    assert p is not None and p.staff_id is not None
    return {"company_id": company_id, "communities": scope, "staff_id": p.staff_id, "actor_id": p.user_id}


async def _send_completion_sms(ticket: models.Ticket) -> None:
    """Tell the reporter by SMS that the repair is done (after commit: a failed send changes nothing)."""
    user = await UserModel.filter(id=ticket.reporter_id).first()
    if user is None:
        return
    number = workflow.ticket_number(ticket.id)
    await get_runtime().sms.send_notice(open_phone(user.phone_enc, user.phone_hash), subject=f"报修 {number}",
                                        status="已完成，欢迎评价")


async def _dispatch(info: Info, id: strawberry.ID, action: str,
                    fn: Callable[[int, frozenset[int] | None, int, int], Awaitable[models.Ticket]],
                    **summary: Any) -> TicketPayload:
    async def run() -> dict[str, Any]:
        company_id, scope = community_scope(info.context, Perm.TICKET_DISPATCH)
        row = await fn(company_id, scope, decode_id(id, "Ticket"), require_user(info.context))
        return _done(row, summary)

    return await run_mutation(info, TicketPayload, RepairError, run, audit=action)


@strawberry.type
class RepairsMutation:
    @strawberry.mutation(description="Report a repair for a unit you live in or a public area of your community; "
                                     "a retry with the same idempotency key returns the same ticket.")
    async def ticket_create(self, info: Info, input: TicketCreateInput) -> TicketPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            spec = service.TicketSpec(
                unit_id=decode_id(input.unit_id, "Unit", "unitId") if input.unit_id else None,
                community_id=decode_id(input.community_id, "Community", "communityId") if input.community_id else None,
                public_area=input.public_area, category_id=decode_id(input.category_id, "RepairCategory", "categoryId"),
                description=input.description, urgency=models.Urgency(input.urgency),
                preferred_start=input.preferred_start, preferred_end=input.preferred_end,
                idempotency_key=input.idempotency_key, file_ids=tuple(_file_ids(input.file_ids)),
            )
            row, _ = await service.create_ticket(user_id=uid, spec=spec)
            return _done(row)

        payload = await run_mutation(info, TicketPayload, RepairError, run)
        if [(e.field, e.code.value) for e in payload.errors] == [("idempotencyKey", "DUPLICATE")]:
            payload = await run_mutation(info, TicketPayload, RepairError, run)  # the twin won: return it
        return payload

    @strawberry.mutation(description="Withdraw your ticket before work starts.")
    async def ticket_cancel(self, info: Info, id: strawberry.ID, reason: str | None = None) -> TicketPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.cancel_ticket(user_id=uid, ticket_id=decode_id(id, "Ticket"), reason=reason))

        return await run_mutation(info, TicketPayload, RepairError, run)

    @strawberry.mutation(description="Reopen your completed, rated or closed ticket within 7 days of its completion "
                                     "(or rating); it is assigned again.")
    async def ticket_reopen(self, info: Info, id: strawberry.ID, reason: str | None = None) -> TicketPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.reopen_ticket(user_id=uid, ticket_id=decode_id(id, "Ticket"), reason=reason))

        return await run_mutation(info, TicketPayload, RepairError, run)

    @strawberry.mutation(description="Rate your completed ticket, once: speed, quality and attitude (1–5).")
    async def ticket_rate(self, info: Info, id: strawberry.ID, input: TicketRateInput) -> TicketPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            return _done(await service.rate_ticket(
                user_id=uid, ticket_id=decode_id(id, "Ticket"), speed=input.speed, quality=input.quality,
                attitude=input.attitude, comment=input.comment,
            ))

        return await run_mutation(info, TicketPayload, RepairError, run)

    @strawberry.mutation(description="Accept a submitted ticket (ticket.dispatch).")
    async def ticket_accept(self, info: Info, id: strawberry.ID) -> TicketPayload:
        return await _dispatch(info, id, "ticket.accept", lambda c, s, t, u: dispatch.accept(
            company_id=c, communities=s, ticket_id=t, actor_id=u))

    @strawberry.mutation(description="Turn a ticket down with a reason (ticket.dispatch).")
    async def ticket_reject(self, info: Info, id: strawberry.ID, reason: str) -> TicketPayload:
        return await _dispatch(info, id, "ticket.reject", lambda c, s, t, u: dispatch.reject(
            company_id=c, communities=s, ticket_id=t, actor_id=u, reason=reason), reason=reason)

    @strawberry.mutation(description="Assign or reassign a ticket to a technician of its community "
                                     "(ticket.dispatch).")
    async def ticket_assign(self, info: Info, id: strawberry.ID, technician_id: strawberry.ID,
                            note: str | None = None) -> TicketPayload:
        tech = decode_id(technician_id, "StaffMember", "technicianId")
        return await _dispatch(info, id, "ticket.assign", lambda c, s, t, u: dispatch.assign(
            company_id=c, communities=s, ticket_id=t, actor_id=u, technician_id=tech, note=note),
            technician=technician_id)

    @strawberry.mutation(description="Close a completed ticket (ticket.dispatch).")
    async def ticket_close(self, info: Info, id: strawberry.ID, note: str | None = None) -> TicketPayload:
        return await _dispatch(info, id, "ticket.close", lambda c, s, t, u: dispatch.close(
            company_id=c, communities=s, ticket_id=t, actor_id=u, note=note))

    @strawberry.mutation(description="Take an unassigned accepted ticket of your community, when the community "
                                     "allows it (ticket.work).")
    async def ticket_grab(self, info: Info, id: strawberry.ID) -> TicketPayload:
        async def run() -> dict[str, Any]:
            return _done(await dispatch.grab(**_worker(info.context), ticket_id=decode_id(id, "Ticket")), {})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.grab")

    @strawberry.mutation(description="Take a job assigned to you (接单), so the reporter knows you are coming "
                                     "(ticket.work).")
    async def ticket_assignment_accept(self, info: Info, id: strawberry.ID) -> TicketPayload:
        async def run() -> dict[str, Any]:
            return _done(await dispatch.acknowledge(**_worker(info.context), ticket_id=decode_id(id, "Ticket")), {})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.acknowledge")

    @strawberry.mutation(description="Allow or stop sharing your position with the reporter for one ticket that is "
                                     "yours; stopping deletes what was shared (ticket.work).")
    async def ticket_location_consent(self, info: Info, id: strawberry.ID, consent: bool) -> TicketPayload:
        async def run() -> dict[str, Any]:
            return _done(await location.set_consent(**_worker(info.context), ticket_id=decode_id(id, "Ticket"),
                                                    consent=consent), {"consent": consent})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.locationConsent")

    @strawberry.mutation(description="Report where you are while working on a ticket whose position you share; "
                                     "it is kept for 2 hours at most (ticket.work).")
    async def ticket_location_report(self, info: Info, id: strawberry.ID, input: TicketPositionInput) -> TicketPayload:
        async def run() -> dict[str, Any]:
            return _done(await location.report(**_worker(info.context), ticket_id=decode_id(id, "Ticket"),
                                               latitude=input.latitude, longitude=input.longitude,
                                               accuracy_m=input.accuracy))

        return await run_mutation(info, TicketPayload, RepairError, run)

    @strawberry.mutation(description="Start work on a ticket assigned to you (ticket.work).")
    async def ticket_start(self, info: Info, id: strawberry.ID) -> TicketPayload:
        async def run() -> dict[str, Any]:
            return _done(await dispatch.start(**_worker(info.context), ticket_id=decode_id(id, "Ticket")), {})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.start")

    @strawberry.mutation(description="Complete a ticket assigned to you, with up to 9 photos of the work "
                                     "(fileUpload with TICKET_WORK_PHOTO); the reporter gets an SMS (ticket.work).")
    async def ticket_complete(self, info: Info, id: strawberry.ID, note: str | None = None,
                              file_ids: list[strawberry.ID] | None = None) -> TicketPayload:
        async def run() -> dict[str, Any]:
            row = await dispatch.complete(**_worker(info.context), ticket_id=decode_id(id, "Ticket"), note=note,
                                          file_ids=_file_ids(file_ids))
            info.context.after_commit.append(lambda: _send_completion_sms(row))
            return _done(row, {"note": note})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.complete")

    @strawberry.mutation(description="Add a note, with up to 9 photos (TICKET_WORK_PHOTO), to the timeline: the "
                                     "assigned technician, or dispatch staff. An internal note is for staff only.")
    async def ticket_note_add(self, info: Info, id: strawberry.ID, note: str, internal: bool = False,
                              file_ids: list[strawberry.ID] | None = None) -> TicketPayload:
        async def run() -> dict[str, Any]:
            uid = require_user(info.context)
            row = await notable_ticket(info.context, decode_id(id, "Ticket"))
            return _done(await workflow.add_note(row, actor_id=uid, note=note, internal=internal,
                                                file_ids=_file_ids(file_ids)), {"note": note, "internal": internal})

        return await run_mutation(info, TicketPayload, RepairError, run, audit="ticket.note")

    @strawberry.mutation(description="Add a repair category to the company (repair.config).")
    async def repair_category_create(self, info: Info, input: RepairCategoryInput) -> RepairCategoryPayload:
        return await _category(info, None, input, "repairCategory.create")

    @strawberry.mutation(description="Rename, reorder, disable or enable a repair category (repair.config).")
    async def repair_category_update(self, info: Info, id: strawberry.ID,
                                     input: RepairCategoryInput) -> RepairCategoryPayload:
        return await _category(info, id, input, "repairCategory.update")

    @strawberry.mutation(description="Change a community's repair settings (repair.config).")
    async def repair_settings_update(self, info: Info, community_id: strawberry.ID,
                                     input: RepairSettingsInput) -> RepairSettingsPayload:
        async def run() -> dict[str, Any]:
            pk = decode_id(community_id, "Community", "communityId")
            company_id = require_perm(info.context, Perm.REPAIR_CONFIG, pk)
            spec = config.SettingsSpec(**{k: getattr(input, k) for k in vars(config.SettingsSpec())})
            row = await config.save_settings(company_id=company_id, community_id=pk, spec=spec)
            return {"settings": RepairSettings.from_model(row), "_audit": {
                "target_type": "Community", "target_id": community_id,
                "summary": {k: v for k, v in vars(spec).items() if v is not None}}}

        return await run_mutation(info, RepairSettingsPayload, RepairError, run, audit="repairSettings.update")

    @strawberry.mutation(description="Set the categories a technician handles (ticket.dispatch).")
    async def technician_skills_set(self, info: Info, staff_id: strawberry.ID,
                                    category_ids: list[strawberry.ID]) -> TechnicianSkillsPayload:
        async def run() -> dict[str, Any]:
            company_id = require_perm(info.context, Perm.TICKET_DISPATCH)
            cats = await dispatch.set_skills(
                company_id=company_id, staff_id=decode_id(staff_id, "StaffMember", "staffId"),
                category_ids=decode_ids(list(category_ids), "RepairCategory", "categoryIds", limit=dispatch.MAX_SKILLS),
            )
            return {"skills": [RepairCategory.from_model(c) for c in cats], "_audit": {
                "target_type": "StaffMember", "target_id": staff_id, "summary": {"categories": list(category_ids)}}}

        return await run_mutation(info, TechnicianSkillsPayload, RepairError, run, audit="technician.skills")


async def _category(info: Info, id: strawberry.ID | None, input: RepairCategoryInput, action: str) -> RepairCategoryPayload:
    async def run() -> dict[str, Any]:
        company_id = require_perm(info.context, Perm.REPAIR_CONFIG)
        row = await config.save_category(
            company_id=company_id, category_id=decode_id(id, "RepairCategory") if id else None, name=input.name,
            name_en=input.name_en, sort=input.sort, active=input.is_active,
        )
        return {"category": RepairCategory.from_model(row), "_audit": {
            "target_type": "RepairCategory", "target_id": encode_id("RepairCategory", row.id),
            "summary": {"name": input.name, "nameEn": input.name_en, "isActive": input.is_active}}}

    return await run_mutation(info, RepairCategoryPayload, RepairError, run, audit=action)
