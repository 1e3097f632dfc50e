"""Technicians are the staff holding ticket.work on purpose: a company admin is not one."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.accounts.models import StaffMember
from tests.domains.repairs import support as s
from tests.domains.repairs.support import repair_world, ticket_in

WORKLOAD = "query($c: ID!) { technicianWorkload(communityId: $c) { technician { name staffMemberId } } }"


async def test_the_company_admin_is_neither_listed_nor_assignable_as_a_technician(api):
    # given a company whose admin holds the company admin template and two technicians
    w = await repair_world(api)
    # when the manager opens the workload (the assign dialog's list)
    rows = (await api.gql(WORKLOAD, {"c": w.community_id}, token=w.tokens["manager"]))["technicianWorkload"]
    # then only the technicians are listed
    assert sorted(r["technician"]["name"] for r in rows) == ["Tech A1", "Tech A2"]
    # and the admin cannot be assigned a ticket
    admin = await StaffMember.get(company_id=w.company.id, user__name="Admin A")
    tid = await ticket_in(api, w, "ACCEPTED")
    payload = await s.run(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=encode_id("StaffMember", admin.id))
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("technicianId", "NOT_FOUND")]
