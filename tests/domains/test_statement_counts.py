"""Every list page costs the same number of SQL statements whatever its size: relations go through DataLoaders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.domains.accounts.models import StaffMember
from backend.domains.audit.models import AuditLog
from backend.domains.repairs.models import RepairCategory, Ticket, TicketEvent, TicketStatus
from backend.domains.residents.models import BindingStatus, Relation
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_company,
    make_platform_admin,
    make_staff,
    make_unit,
    make_user,
    token_for,
)
from tests.support.sqlcount import count_statements

ROWS = 25  # more than the larger page, so both pages are full

QUERIES = {
    "companies": "query($first: Int) { companies(first: $first) { totalCount nodes { id name status contactName } } }",
    "communities": """
        query($first: Int) { communities(first: $first) { totalCount nodes { id name unitCount } } }""",
    "buildings": """
        query($first: Int) { buildings(first: $first) {
          totalCount nodes { id name unitCount community { id name unitCount } } } }""",
    "units": """
        query($first: Int) { units(first: $first) { totalCount edges { cursor node {
          id number
          building { id name unitCount community { name } }
          community { id name }
          residents { relation user { name phone } }
        } } } }""",
    "owners": """
        query($first: Int) { owners(first: $first) { totalCount nodes {
          id name phone
          bindings { relation unit { number building { name } community { name } } }
        } } }""",
    "bindings": """
        query($first: Int) { bindings(first: $first) { totalCount nodes {
          id status relation
          unit { number building { name } }
          user { name phone }
          community { name }
        } } }""",
    "staffMembers": """
        query($first: Int) { staffMembers(first: $first) { totalCount nodes {
          id title
          user { name phone }
          grants { role { code permissions } community { name } }
        } } }""",
    "nestedTree": """
        query($first: Int) { communities(first: $first) { totalCount nodes { id name
          buildings(first: 3) { totalCount nodes { name units(first: 3) { totalCount nodes { number } } } }
        } } }""",
    "auditLogs": """
        query($first: Int) { auditLogs(first: $first) { totalCount nodes { id action actor { name phone } } } }""",
    "tickets": """
        query($first: Int) { tickets(first: $first) { totalCount nodes {
          id number status overdue category { name } community { name }
          unit { number building { name } }
          reporter { name phone }
          technician { name phone staffMemberId }
          contactPhone technicianPosition { latitude } files { url }
          timeline { kind actorName files { url } }
        } } }""",
}


async def seed() -> tuple[str, str]:
    """ROWS of everything in one company: communities each with a building, a unit, an owner, a pending
    request, a community-limited staff member and an audit row. Returns (company admin, platform admin) tokens."""
    company = await make_company()
    admin = await make_staff(company, "company_admin", name="Admin")
    for i in range(ROWS):
        await make_company(f"Other company {i}")
        community = await make_community(company, f"Community {i}")
        building = await make_building(community, f"Building {i}")
        unit = await make_unit(building, f"{i + 1}01", i + 1)
        owner = await make_user(f"Owner {i}")
        await bind(owner, unit, Relation.OWNER)
        await bind(await make_user(f"Family {i}"), unit, Relation.FAMILY)
        await bind(await make_user(f"Asker {i}"), unit, Relation.TENANT, BindingStatus.PENDING)
        staff = await make_staff(company, "technician" if i % 2 else "guard", community=community, name=f"Staff {i}")
        await AuditLog.create(company_id=company.id, actor_id=staff.id if i % 3 else owner.id, action="unit.update",
                              target_type="Unit", target_id=str(unit.id), summary={"i": i})
        # A repair ticket per community: its own category, and a technician on every other one.
        category = await RepairCategory.create(company_id=company.id, name=f"Category {i}")
        member = await StaffMember.get(user_id=staff.id)
        now = datetime.now(UTC)
        ticket = await Ticket.create(
            company_id=company.id, community_id=community.id, unit_id=unit.id, category_id=category.id,
            reporter_id=owner.id, technician_id=member.id if i % 2 else None, idempotency_key=f"k{i}",
            description="Leak", status=TicketStatus.ASSIGNED if i % 2 else TicketStatus.SUBMITTED,
            accept_due=now, finish_due=now + timedelta(hours=1))
        await TicketEvent.create(company_id=company.id, ticket_id=ticket.id, actor_id=owner.id, kind="created",
                                 to_status=TicketStatus.SUBMITTED)
    return await token_for(admin), await token_for(await make_platform_admin())


@pytest.mark.parametrize("name", list(QUERIES))
async def test_list_page_statement_count_does_not_grow_with_page_size(api, name):
    # given
    admin, platform = await seed()
    token = platform if name == "companies" else admin
    counts: dict[int, int] = {}
    for first in (5, 20):
        # when
        with count_statements() as counter:
            data = await api.gql(QUERIES[name], {"first": first}, token=token)
        # then: the page is full, so a per-row query would show
        connection = data["communities" if name == "nestedTree" else name]
        rows = connection.get("nodes", connection.get("edges"))
        assert len(rows) == first, name
        counts[first] = counter.count
    print(f"\n{name}: {counts[5]} statements for 5 rows, {counts[20]} for 20")
    assert counts[5] == counts[20], (name, counts)
