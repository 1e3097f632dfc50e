"""Dispatch: who may accept, assign and work; grabbing races; automatic assignment; SLA overdue; staff lists."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from backend.core.ids import decode_id, encode_id
from backend.domains.accounts.models import StaffMember
from backend.domains.repairs.models import Ticket
from tests.domains.repairs import support as s
from tests.domains.repairs.support import create, other_community, repair_world, ticket_in
from tests.factories import bind, make_staff, make_user, token_for

WORKLOAD = """query($communityId: ID!) { technicianWorkload(communityId: $communityId) {
  technician { name staffMemberId } assignedCount inProgressCount skills { name } } }"""


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def ids(api, token: str, **filter_) -> list[str]:  # noqa: ANN001
    data = await api.gql(s.LIST, {"filter": filter_, "first": 100}, token=token)
    return [n["id"] for n in data["tickets"]["nodes"]]


@pytest.mark.parametrize(("who", "allowed"), [
    ("manager", True), ("service", True), ("admin", True), ("tech1", False), ("owner", False),
])
async def test_who_may_accept(api, who, allowed):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "SUBMITTED")
    # when
    payload = await s.run(api, s.ACCEPT, w.tokens[who], id=tid)
    # then
    if allowed:
        assert payload["errors"] == [] and payload["ticket"]["status"] == "ACCEPTED"
    else:
        assert codes(payload) == ["FORBIDDEN"]


async def test_staff_of_another_community_cannot_dispatch_or_see(api):
    # given a manager of another community of the same company
    w = await repair_world(api)
    community, _ = await other_community(w)
    elsewhere = await token_for(await make_staff(w.company, "community_manager", community))
    tid = await ticket_in(api, w, "SUBMITTED")
    # when / then
    assert codes(await s.run(api, s.ACCEPT, elsewhere, id=tid)) == ["NOT_FOUND"]
    assert await ids(api, elsewhere) == []
    assert (await api.gql(s.NODE, {"id": tid}, token=elsewhere))["node"] is None


async def test_assign_only_to_active_technicians_of_the_community(api):
    # given a technician of another community and a disabled one
    w = await repair_world(api)
    community, _ = await other_community(w)
    outsider = await make_staff(w.company, "technician", community)
    outsider_staff = await StaffMember.get(user_id=outsider.id)
    await StaffMember.filter(id=w.tech_staff[1]).update(is_active=False)
    guard = await StaffMember.get(user_id=(await make_staff(w.company, "guard", w.community)).id)
    tid = await ticket_in(api, w, "ACCEPTED")
    # when / then
    for staff_pk in (outsider_staff.id, w.tech_staff[1], guard.id):
        payload = await s.run(api, s.ASSIGN, w.tokens["manager"], id=tid,
                              technicianId=encode_id("StaffMember", staff_pk))
        assert payload["errors"] == [{"field": "technicianId", "code": "NOT_FOUND"}]
    assigned = await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(0))
    assert assigned["status"] == "ASSIGNED" and assigned["technician"]["name"] == "Tech A1"
    again = await s.run(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(0))
    assert codes(again) == ["ALREADY_ASSIGNED"]


async def test_technicians_see_their_tickets_and_grabbable_ones_in_their_communities(api):
    # given tickets in every state, grabbing on, and a technician of another community
    w = await repair_world(api)
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"allowGrab": True})
    submitted = await ticket_in(api, w, "SUBMITTED")
    open_ = await ticket_in(api, w, "ACCEPTED")
    mine = await ticket_in(api, w, "IN_PROGRESS")
    theirs = await ticket_in(api, w, "ASSIGNED")
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=theirs, technicianId=w.tech_id(1))
    community, _ = await other_community(w)
    outsider = await token_for(await make_staff(w.company, "technician", community))
    # when / then
    assert set(await ids(api, w.tokens["tech1"])) == {open_, mine}
    assert set(await ids(api, w.tokens["tech2"])) == {open_, theirs}
    assert await ids(api, outsider) == []
    assert (await api.gql(s.NODE, {"id": submitted}, token=w.tokens["tech1"]))["node"] is None
    assert (await api.gql(s.NODE, {"id": theirs}, token=w.tokens["tech1"]))["node"] is None
    assert codes(await s.run(api, s.START, w.tokens["tech1"], id=theirs)) == ["NOT_FOUND"]
    assert codes(await s.run(api, s.GRAB, outsider, id=open_)) == ["NOT_FOUND"]
    # "mine" splits a technician's view into their own tickets and the grabbable rest
    assert set(await ids(api, w.tokens["tech1"], mine=True)) == {mine}
    assert set(await ids(api, w.tokens["tech1"], mine=False)) == {open_}
    assert set(await ids(api, w.tokens["manager"], mine=True)) == set()
    # with grabbing off, unassigned tickets are no longer theirs to see or take
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"allowGrab": False})
    assert set(await ids(api, w.tokens["tech1"])) == {mine}
    assert codes(await s.run(api, s.GRAB, w.tokens["tech1"], id=open_)) == ["GRAB_DISABLED"]


async def test_two_technicians_grabbing_at_once_one_wins(api):
    # given
    w = await repair_world(api)
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"allowGrab": True})
    tid = await ticket_in(api, w, "ACCEPTED")
    # when
    results = await asyncio.gather(s.run(api, s.GRAB, w.tokens["tech1"], id=tid),
                                   s.run(api, s.GRAB, w.tokens["tech2"], id=tid))
    # then
    winners = [r for r in results if r["errors"] == []]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1 and [codes(r) for r in losers] == [["ALREADY_ASSIGNED"]]
    row = await Ticket.get(id=decode_id(tid, "Ticket"))
    assert row.technician_id in w.tech_staff and row.status.value == "assigned"
    data = await api.gql(s.NODE, {"id": tid}, token=w.tokens["manager"])
    assert [e["kind"] for e in data["node"]["timeline"]].count("GRABBED") == 1
    assert row.acknowledged_at is not None  # grabbing is taking the job: no 接单 step follows


async def test_auto_assign_picks_the_skilled_technician_with_the_fewest_open_tickets(api):
    # given three technicians: tech1 and tech2 handle 水电; tech3 handles only 电梯
    w = await repair_world(api)
    tech3 = await make_staff(w.company, "technician", w.community, name="Tech A3")
    tech3_staff = (await StaffMember.get(user_id=tech3.id)).id
    water = w.categories["水电"]
    for staff_pk, cats in ((w.tech_staff[0], [water]), (w.tech_staff[1], [water]),
                           (tech3_staff, [w.categories["电梯"]])):
        payload = await s.run(api, s.SKILLS, w.tokens["manager"], staffId=encode_id("StaffMember", staff_pk),
                              categoryIds=cats)
        assert payload["errors"] == []
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"autoAssign": True})
    # tech1 already has one open ticket
    busy = await ticket_in(api, w, "SUBMITTED")
    await s.ok(api, s.ACCEPT, w.tokens["manager"], id=busy)  # tie (0 / 0): the lower id, tech1
    row = await Ticket.get(id=decode_id(busy, "Ticket"))
    assert row.technician_id == w.tech_staff[0]
    # when
    tid = await ticket_in(api, w, "SUBMITTED")
    accepted = await s.ok(api, s.ACCEPT, w.tokens["manager"], id=tid)
    # then the less busy skilled technician gets it
    assert accepted["status"] == "ASSIGNED" and accepted["technician"]["staffMemberId"] == w.tech_id(1)
    # a category nobody handles stays accepted for a person to assign
    lonely = (await create(api, w, categoryId=w.categories["其他"]))["ticket"]["id"]
    assert (await s.ok(api, s.ACCEPT, w.tokens["manager"], id=lonely))["status"] == "ACCEPTED"
    # workload shows the counts and skills
    data = await api.gql(WORKLOAD, {"communityId": w.community_id}, token=w.tokens["manager"])
    load = {r["technician"]["name"]: (r["assignedCount"], r["inProgressCount"], [c["name"] for c in r["skills"]])
            for r in data["technicianWorkload"]}
    # (technicians only: the company admin does not hold ticket.work unless given it on purpose)
    assert load == {"Tech A1": (1, 0, ["水电"]), "Tech A2": (1, 0, ["水电"]), "Tech A3": (0, 0, ["电梯"])}


async def test_without_auto_assign_accepted_tickets_wait(api):
    w = await repair_world(api)
    await s.run(api, s.SKILLS, w.tokens["manager"], staffId=w.tech_id(0), categoryIds=[w.categories["水电"]])
    tid = await ticket_in(api, w, "SUBMITTED")
    assert (await s.ok(api, s.ACCEPT, w.tokens["manager"], id=tid))["status"] == "ACCEPTED"


async def test_overdue_flag_and_filter_follow_the_sla(api):
    # given: one submitted past its accept SLA, one assigned past its finish SLA, one on time, one done late
    w = await repair_world(api)
    late_accept = await ticket_in(api, w, "SUBMITTED")
    late_finish = await ticket_in(api, w, "ASSIGNED")
    on_time = await ticket_in(api, w, "SUBMITTED")
    done = await ticket_in(api, w, "COMPLETED")
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Ticket.filter(id=decode_id(late_accept, "Ticket")).update(accept_due=past)
    await Ticket.filter(id__in=[decode_id(late_finish, "Ticket"), decode_id(done, "Ticket")]).update(
        accept_due=past, finish_due=past)
    # when
    overdue = await ids(api, w.tokens["manager"], overdue=True)
    not_overdue = await ids(api, w.tokens["manager"], overdue=False)
    # then
    assert set(overdue) == {late_accept, late_finish}
    assert set(not_overdue) == {on_time, done}
    flags = {n["id"]: n["overdue"] for n in (await api.gql(s.LIST, {"first": 100}, token=w.tokens["manager"]))[
        "tickets"]["nodes"]}
    assert flags == {late_accept: True, late_finish: True, on_time: False, done: False}


async def test_staff_list_filters_and_search(api):
    # given
    w = await repair_world(api)
    a = (await create(api, w, description="Broken window latch", categoryId=w.categories["门窗"]))["ticket"]
    b = (await create(api, w, description="Lift stuck", urgency="URGENT", categoryId=w.categories["电梯"]))["ticket"]
    c = await ticket_in(api, w, "ASSIGNED")
    m = w.tokens["manager"]
    # when / then
    assert await ids(api, m, search="window") == [a["id"]]
    assert await ids(api, m, search=b["number"]) == [b["id"]]
    assert await ids(api, m, urgency="URGENT") == [b["id"]]
    assert await ids(api, m, categoryId=w.categories["门窗"]) == [a["id"]]
    assert await ids(api, m, status=["ASSIGNED", "IN_PROGRESS"]) == [c]
    assert await ids(api, m, technicianId=w.tech_id(0)) == [c]
    assert await ids(api, m, communityId=w.community_id) == [c, b["id"], a["id"]]
    body = await api.raw(s.LIST, {"filter": {"search": "x" * 51}}, token=m)
    assert body["errors"][0]["extensions"]["code"] == "TOO_LONG"


async def test_notes_by_the_technician_and_dispatch_staff_only(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    # when / then
    assert (await s.run(api, s.NOTE, w.tokens["tech1"], id=tid, note="Need a new washer"))["errors"] == []
    assert (await s.run(api, s.NOTE, w.tokens["service"], id=tid, note="Owner called"))["errors"] == []
    assert codes(await s.run(api, s.NOTE, w.tokens["tech2"], id=tid, note="Hi")) == ["NOT_FOUND"]
    assert codes(await s.run(api, s.NOTE, w.tokens["owner"], id=tid, note="Hi")) == ["NOT_FOUND"]
    assert codes(await s.run(api, s.NOTE, w.tokens["tech1"], id=tid, note=" ")) == ["REQUIRED"]


async def test_skills_and_settings_need_their_permissions(api):
    # given
    w = await repair_world(api)
    # when / then: customer service dispatches but does not configure; technicians do neither
    settings = await s.run(api, s.SETTINGS, w.tokens["service"], communityId=w.community_id, input={"allowGrab": True})
    assert codes(settings) == ["FORBIDDEN"]
    skills = await s.run(api, s.SKILLS, w.tokens["tech1"], staffId=w.tech_id(0), categoryIds=[w.categories["水电"]])
    assert codes(skills) == ["FORBIDDEN"]
    bad = await s.run(api, s.SETTINGS, w.tokens["manager"], communityId=w.community_id,
                      input={"urgentAcceptMinutes": 0})
    assert bad["errors"] == [{"field": "urgentAcceptMinutes", "code": "INVALID"}]
    # a person who is both owner and staff elsewhere is still only an owner here
    person = await make_user("Both")
    await bind(person, w.unit)
    assert (await create(api, w, token=await token_for(person)))["errors"] == []
