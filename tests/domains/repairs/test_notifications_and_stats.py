"""The reporter's inbox and completion SMS; technicians' monthly statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.crypto import open_phone
from backend.core.ids import decode_id, encode_id
from backend.domains.repairs.models import Ticket
from tests.domains.repairs import support as s
from tests.domains.repairs.support import repair_world, ticket_in

INBOX = """query($unreadOnly: Boolean) { unreadNotificationCount
  notifications(unreadOnly: $unreadOnly, first: 50) { totalCount nodes { id __typename kind title titleEn targetId readAt } } }"""
MARK = "mutation($ids: [ID!]!) { notificationMarkRead(ids: $ids) { updatedCount errors { code } } }"
MARK_ALL = "mutation { notificationMarkAllRead { updatedCount errors { code } } }"
STATS = """query($month: String!, $communityId: ID) { technicianStats(month: $month, communityId: $communityId) {
  technician { name } completedCount ratedCount avgSpeed avgQuality avgAttitude avgCompletionMinutes slaHitRate } }"""


async def test_the_reporter_gets_a_message_per_status_change_and_an_sms_on_completion(api, sms):
    # given
    w = await repair_world(api)
    # when
    tid = await ticket_in(api, w, "COMPLETED")
    # then
    data = await api.gql(INBOX, token=w.tokens["owner"])
    kinds = [n["kind"] for n in data["notifications"]["nodes"]]
    assert kinds == ["ticket.completed", "ticket.started", "ticket.assigned", "ticket.accepted", "ticket.created"]
    assert data["unreadNotificationCount"] == 5
    assert {n["targetId"] for n in data["notifications"]["nodes"]} == {tid}
    assert data["notifications"]["nodes"][0]["title"] == "维修已完成，请评价"
    phone = open_phone(w.owner.phone_enc, w.owner.phone_hash)
    number = f"R{decode_id(tid, 'Ticket'):08d}"
    assert [(to, number in text) for to, text in sms.sent] == [(phone, True)]
    # staff see nothing in their own inboxes for the owner's ticket
    assert (await api.gql(INBOX, token=w.tokens["manager"]))["unreadNotificationCount"] == 0


async def test_no_sms_when_completion_is_refused(api, sms):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    payload = await s.run(api, s.COMPLETE, w.tokens["tech1"], id=tid)
    assert [e["code"] for e in payload["errors"]] == ["ILLEGAL_TRANSITION"]
    assert sms.sent == []


async def test_mark_read_some_then_all_and_only_your_own(api):
    # given
    w = await repair_world(api)
    await ticket_in(api, w, "ACCEPTED")
    _, token_b, unit_b = await s.second_owner(w)
    await s.create(api, w, token=token_b, unitId=encode_id("Unit", unit_b.id))
    nodes = (await api.gql(INBOX, token=w.tokens["owner"]))["notifications"]["nodes"]
    theirs = (await api.gql(INBOX, token=token_b))["notifications"]["nodes"]
    # when someone else's id is mixed in, then nothing changes
    data = await api.gql(MARK, {"ids": [nodes[0]["id"], theirs[0]["id"]]}, token=w.tokens["owner"])
    assert [e["code"] for e in data["notificationMarkRead"]["errors"]] == ["NOT_FOUND"]
    assert (await api.gql(INBOX, token=token_b))["unreadNotificationCount"] == 1
    assert (await api.gql(INBOX, token=w.tokens["owner"]))["unreadNotificationCount"] == 2
    # when only the caller's own
    data = await api.gql(MARK, {"ids": [nodes[0]["id"]]}, token=w.tokens["owner"])
    # then only that message changes
    assert data["notificationMarkRead"] == {"updatedCount": 1, "errors": []}
    unread = await api.gql(INBOX, {"unreadOnly": True}, token=w.tokens["owner"])
    assert [n["id"] for n in unread["notifications"]["nodes"]] == [nodes[1]["id"]]
    assert (await api.gql(MARK_ALL, token=w.tokens["owner"]))["notificationMarkAllRead"]["updatedCount"] == 1
    assert (await api.gql(INBOX, token=w.tokens["owner"]))["unreadNotificationCount"] == 0
    # another person's message is not reachable by node either
    assert (await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": theirs[0]["id"]},
                          token=w.tokens["owner"]))["node"] is None
    too_many = await api.gql(MARK, {"ids": [nodes[0]["id"]] * 101}, token=w.tokens["owner"])
    assert [e["code"] for e in too_many["notificationMarkRead"]["errors"]] == ["TOO_LONG"]


async def test_monthly_statistics_per_technician(api):
    # given three tickets completed by tech1 in November 2026 (Shanghai time) and one by tech2 in October
    w = await repair_world(api)
    t1 = await ticket_in(api, w, "RATED")  # rated 5 / 4 / 5
    t2 = await ticket_in(api, w, "COMPLETED")
    await s.ok(api, s.RATE, w.tokens["owner"], id=t2, input={"speed": 3, "quality": 2, "attitude": 4})
    t3 = await ticket_in(api, w, "COMPLETED")  # not rated
    t4 = await ticket_in(api, w, "ASSIGNED")
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=t4, technicianId=w.tech_id(1))
    await s.ok(api, s.START, w.tokens["tech2"], id=t4)
    await s.ok(api, s.COMPLETE, w.tokens["tech2"], id=t4)
    nov = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    facts = {t1: (nov, 30, True), t2: (nov, 90, False), t3: (datetime(2026, 10, 31, 16, 30, tzinfo=UTC), 60, True),
             t4: (datetime(2026, 10, 15, tzinfo=UTC), 10, True)}
    for tid, (at, minutes, met) in facts.items():
        await Ticket.filter(id=decode_id(tid, "Ticket")).update(completed_at=at, completion_minutes=minutes,
                                                                 sla_met=met)
    # when (16:30 UTC on 31 October is already 1 November in Shanghai)
    data = await api.gql(STATS, {"month": "2026-11", "communityId": w.community_id}, token=w.tokens["manager"])
    october = await api.gql(STATS, {"month": "2026-10"}, token=w.tokens["manager"])
    # then
    assert data["technicianStats"] == [{
        "technician": {"name": "Tech A1"}, "completedCount": 3, "ratedCount": 2, "avgSpeed": 4.0, "avgQuality": 3.0,
        "avgAttitude": 4.5, "avgCompletionMinutes": 60.0, "slaHitRate": round(2 / 3, 4),
    }]
    assert [(r["technician"]["name"], r["completedCount"]) for r in october["technicianStats"]] == [("Tech A2", 1)]


async def test_statistics_need_ticket_stats_and_a_valid_month(api):
    w = await repair_world(api)
    body = await api.raw(STATS, {"month": "2026-11"}, token=w.tokens["service"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for month in ("2026-13", "11-2026", "2026-1"):
        body = await api.raw(STATS, {"month": month}, token=w.tokens["manager"])
        assert body["errors"][0]["extensions"]["code"] == "INVALID", month


async def test_completion_stores_time_and_sla(api):
    # given a ticket whose finish SLA already passed
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    await Ticket.filter(id=decode_id(tid, "Ticket")).update(
        finish_due=datetime.now(UTC) - timedelta(minutes=5), created_at=datetime.now(UTC) - timedelta(minutes=125))
    # when
    await s.ok(api, s.COMPLETE, w.tokens["tech1"], id=tid)
    # then
    row = await Ticket.get(id=decode_id(tid, "Ticket"))
    assert row.sla_met is False and row.completion_minutes in (124, 125, 126)
