"""A repairs world (community, owner, dispatch staff, two technicians) and GraphQL helpers for ticket tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from backend.core.ids import encode_id
from backend.domains.accounts.models import StaffMember, User
from backend.domains.tenancy.models import Building, Community, Company, Unit
from tests.conftest import Api
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_staff,
    make_unit,
    make_user,
    make_world,
    token_for,
)

_keys = itertools.count(1)

TICKET_FIELDS = """id __typename number status urgency description publicArea overdue reopenCount rejectReason
  acceptDue finishDue completedAt
  category { id name } unit { id number } community { id }
  technician { name phone staffMemberId } rating { speed quality attitude comment }"""
PAYLOAD = f"ticket {{ {TICKET_FIELDS} }} errors {{ field code }}"
CREATE = f"mutation($input: TicketCreateInput!) {{ ticketCreate(input: $input) {{ {PAYLOAD} }} }}"
ACCEPT = f"mutation($id: ID!) {{ ticketAccept(id: $id) {{ {PAYLOAD} }} }}"
REJECT = f"mutation($id: ID!, $reason: String!) {{ ticketReject(id: $id, reason: $reason) {{ {PAYLOAD} }} }}"
ASSIGN = f"""mutation($id: ID!, $technicianId: ID!) {{
  ticketAssign(id: $id, technicianId: $technicianId) {{ {PAYLOAD} }} }}"""
CLOSE = f"mutation($id: ID!) {{ ticketClose(id: $id) {{ {PAYLOAD} }} }}"
GRAB = f"mutation($id: ID!) {{ ticketGrab(id: $id) {{ {PAYLOAD} }} }}"
START = f"mutation($id: ID!) {{ ticketStart(id: $id) {{ {PAYLOAD} }} }}"
COMPLETE = f"mutation($id: ID!) {{ ticketComplete(id: $id) {{ {PAYLOAD} }} }}"
NOTE = f"mutation($id: ID!, $note: String!) {{ ticketNoteAdd(id: $id, note: $note) {{ {PAYLOAD} }} }}"
CANCEL = f"mutation($id: ID!) {{ ticketCancel(id: $id) {{ {PAYLOAD} }} }}"
REOPEN = f"mutation($id: ID!) {{ ticketReopen(id: $id) {{ {PAYLOAD} }} }}"
RATE = f"""mutation($id: ID!, $input: TicketRateInput!) {{ ticketRate(id: $id, input: $input) {{ {PAYLOAD} }} }}"""
SETTINGS = """mutation($communityId: ID!, $input: RepairSettingsInput!) {
  repairSettingsUpdate(communityId: $communityId, input: $input) {
    settings { allowGrab autoAssign normalAcceptMinutes normalFinishHours urgentAcceptMinutes urgentFinishHours }
    errors { field code } } }"""
SKILLS = """mutation($staffId: ID!, $categoryIds: [ID!]!) {
  technicianSkillsSet(staffId: $staffId, categoryIds: $categoryIds) { skills { id name } errors { field code } } }"""
CATEGORIES = "query($communityId: ID) { repairCategories(communityId: $communityId) { id name nameEn isActive } }"
LIST = f"""query($filter: TicketFilter, $first: Int) {{
  tickets(filter: $filter, first: $first) {{ totalCount nodes {{ {TICKET_FIELDS} }} }} }}"""
MINE = f"""query($status: [TicketStatus!]) {{ myTickets(status: $status) {{ totalCount nodes {{ {TICKET_FIELDS} }} }} }}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Ticket {{ {TICKET_FIELDS} timeline {{ kind fromStatus toStatus note actorName }} }} }} }}"


@dataclass
class RepairWorld:
    company: Company
    community: Community
    building: Building
    unit: Unit
    owner: User
    techs: list[User]
    tech_staff: list[int]
    tokens: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)  # Chinese name -> global ID

    @property
    def community_id(self) -> str:
        return encode_id("Community", self.community.id)

    @property
    def unit_id(self) -> str:
        return encode_id("Unit", self.unit.id)

    def tech_id(self, i: int) -> str:
        return encode_id("StaffMember", self.tech_staff[i])


async def repair_world(api: Api, label: str = "A") -> RepairWorld:
    """A company with one community, a bound owner, a manager, customer service and two technicians."""
    w = await make_world(label)
    techs = [await make_staff(w.company, "technician", w.community, name=f"Tech {label}{i}") for i in (1, 2)]
    staff = [s.id for t in techs for s in await StaffMember.filter(user_id=t.id, company_id=w.company.id)]
    manager = await make_staff(w.company, "community_manager", w.community, name=f"Manager {label}")
    service = await make_staff(w.company, "customer_service", w.community, name=f"Service {label}")
    rw = RepairWorld(company=w.company, community=w.community, building=w.building, unit=w.unit, owner=w.owner,
                     techs=techs, tech_staff=staff)
    rw.tokens = {"owner": await token_for(w.owner), "admin": await token_for(w.admin),
                 "manager": await token_for(manager), "service": await token_for(service),
                 "tech1": await token_for(techs[0]), "tech2": await token_for(techs[1])}
    data = await api.gql(CATEGORIES, {"communityId": rw.community_id}, token=rw.tokens["owner"])
    rw.categories = {c["name"]: c["id"] for c in data["repairCategories"]}
    return rw


async def second_owner(world: RepairWorld, number: str = "102") -> tuple[User, str, Unit]:
    """Another owner in the same community, with their own unit and token."""
    unit = await make_unit(world.building, number)
    user = await make_user(f"Neighbour {number}")
    await bind(user, unit)
    return user, await token_for(user), unit


async def other_community(world: RepairWorld) -> tuple[Community, Unit]:
    community = await make_community(world.company)
    unit = await make_unit(await make_building(community), "101")
    return community, unit


def key() -> str:
    return f"key-{next(_keys)}"


async def create(api: Api, world: RepairWorld, token: str | None = None, **overrides: Any) -> dict[str, Any]:
    """ticketCreate's payload for the world's unit (or the overrides)."""
    inp: dict[str, Any] = {"unitId": world.unit_id, "categoryId": world.categories["水电"],
                           "description": "The kitchen tap drips", "idempotencyKey": key(), **overrides}
    data = await api.gql(CREATE, {"input": inp}, token=token or world.tokens["owner"])
    return data["ticketCreate"]


async def run(api: Api, query: str, token: str, **variables: Any) -> dict[str, Any]:
    """Run a ticket mutation; returns its payload."""
    data = await api.gql(query, variables, token=token)
    return next(iter(data.values()))


async def ok(api: Api, query: str, token: str, **variables: Any) -> dict[str, Any]:
    """Run a ticket mutation that must work; returns the ticket."""
    payload = await run(api, query, token, **variables)
    assert payload["errors"] == [], payload
    return payload["ticket"]


async def ticket_in(api: Api, world: RepairWorld, status: str) -> str:
    """A new ticket of the world's owner driven to `status` through the API (technician: tech1)."""
    t = world.tokens
    created = await create(api, world)
    assert created["errors"] == [], created
    tid = created["ticket"]["id"]
    if status == "SUBMITTED":
        return tid
    if status == "CANCELLED":
        await ok(api, CANCEL, t["owner"], id=tid)
        return tid
    if status == "REJECTED":
        await ok(api, REJECT, t["manager"], id=tid, reason="Not ours to fix")
        return tid
    await ok(api, ACCEPT, t["manager"], id=tid)
    if status == "ACCEPTED":
        return tid
    await ok(api, ASSIGN, t["manager"], id=tid, technicianId=world.tech_id(0))
    if status == "ASSIGNED":
        return tid
    await ok(api, START, t["tech1"], id=tid)
    if status == "IN_PROGRESS":
        return tid
    await ok(api, COMPLETE, t["tech1"], id=tid)
    if status == "COMPLETED":
        return tid
    if status == "RATED":
        await ok(api, RATE, t["owner"], id=tid, input={"speed": 5, "quality": 4, "attitude": 5})
        return tid
    assert status == "CLOSED", status
    await ok(api, CLOSE, t["manager"], id=tid)
    return tid
