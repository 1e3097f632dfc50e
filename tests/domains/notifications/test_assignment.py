"""The technician's inbox: a message when a ticket is given to them, seen by them alone."""

from __future__ import annotations

from tests.domains.repairs import support as s
from tests.domains.repairs.support import repair_world, ticket_in

INBOX = """query { unreadNotificationCount
  notifications(first: 50) { totalCount nodes { id __typename kind title titleEn body bodyEn targetId } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Notification { kind } } }"


async def inbox(api, token: str) -> list[dict]:  # noqa: ANN001 - the Api fixture
    return (await api.gql(INBOX, token=token))["notifications"]["nodes"]


async def test_assigning_puts_exactly_one_message_in_the_technicians_inbox_and_nobody_elses(api):
    # given an accepted ticket
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ACCEPTED")
    before = {name: len(await inbox(api, w.tokens[name])) for name in ("owner", "manager", "admin", "tech2")}
    # when the manager assigns it to the first technician
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(0))
    # then the technician has exactly one message, about that ticket
    (message,) = await inbox(api, w.tokens["tech1"])
    assert message["__typename"] == "Notification"
    assert (message["kind"], message["targetId"]) == ("ticket.assignedToYou", tid)
    assert message["title"] == "您有新的维修任务" and message["titleEn"] == "A repair job was assigned to you"
    # nobody else's inbox holds it (the owner gets their own "assigned" message, as before)
    after = {name: await inbox(api, w.tokens[name]) for name in before}
    assert message["id"] not in {n["id"] for nodes in after.values() for n in nodes}
    assert {name: len(nodes) - before[name] for name, nodes in after.items()} == {
        "owner": 1, "manager": 0, "admin": 0, "tech2": 0}
    assert [n["kind"] for n in after["owner"]][0] == "ticket.assigned"
    # and it is not reachable by id for anyone else
    for name in ("owner", "manager", "admin", "tech2"):
        assert (await api.gql(NODE, {"id": message["id"]}, token=w.tokens[name]))["node"] is None
    assert (await api.gql(NODE, {"id": message["id"]}, token=w.tokens["tech1"]))["node"] == {
        "id": message["id"], "kind": "ticket.assignedToYou"}


async def test_reassigning_tells_the_new_technician_and_grabbing_tells_nobody(api):
    # given a ticket assigned to the first technician
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    # when it is reassigned to the second
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(1))
    # then the second technician is told once
    assert [n["kind"] for n in await inbox(api, w.tokens["tech2"])] == ["ticket.reassignedToYou"]
    assert [n["kind"] for n in await inbox(api, w.tokens["tech1"])] == ["ticket.assignedToYou"]
    # when a technician grabs a ticket themselves, nobody needs telling
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"allowGrab": True})
    open_ = await ticket_in(api, w, "ACCEPTED")
    await s.ok(api, s.GRAB, w.tokens["tech2"], id=open_)
    assert [n["kind"] for n in await inbox(api, w.tokens["tech2"])] == ["ticket.reassignedToYou"]
