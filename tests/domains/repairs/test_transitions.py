"""Every action from every status: legal steps land where the state machine says, the rest are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.core.ids import decode_id
from backend.domains.repairs.models import Ticket
from tests.domains.repairs import support as s
from tests.domains.repairs.support import repair_world, ticket_in

STATUSES = ["SUBMITTED", "ACCEPTED", "ASSIGNED", "IN_PROGRESS", "COMPLETED", "RATED", "CLOSED", "REJECTED",
            "CANCELLED"]
# action -> (who, mutation, extra variables, statuses it may start from, status it leads to)
ACTIONS = {
    "accept": ("manager", s.ACCEPT, {}, {"SUBMITTED"}, "ACCEPTED"),
    "reject": ("manager", s.REJECT, {"reason": "Not ours"}, {"SUBMITTED", "ACCEPTED"}, "REJECTED"),
    "assign": ("manager", s.ASSIGN, {"technicianId": 1}, {"ACCEPTED", "ASSIGNED", "IN_PROGRESS"}, "ASSIGNED"),
    "grab": ("tech2", s.GRAB, {}, {"ACCEPTED"}, "ASSIGNED"),
    "start": ("tech1", s.START, {}, {"ASSIGNED"}, "IN_PROGRESS"),
    "complete": ("tech1", s.COMPLETE, {}, {"IN_PROGRESS"}, "COMPLETED"),
    "rate": ("owner", s.RATE, {"input": {"speed": 4, "quality": 4, "attitude": 5}}, {"COMPLETED"}, "RATED"),
    "close": ("manager", s.CLOSE, {}, {"COMPLETED", "RATED"}, "CLOSED"),
    "cancel": ("owner", s.CANCEL, {}, {"SUBMITTED", "ACCEPTED", "ASSIGNED"}, "CANCELLED"),
    "reopen": ("owner", s.REOPEN, {}, {"COMPLETED", "RATED", "CLOSED"}, "ACCEPTED"),
}
# Grabbing a ticket someone already has is refused with its own code.
SPECIAL = {("grab", "ASSIGNED"): "ALREADY_ASSIGNED", ("grab", "IN_PROGRESS"): "ALREADY_ASSIGNED"}


@pytest.mark.parametrize("start", STATUSES)
async def test_every_action_from_every_status(api, start):
    # given a ticket in `start` for each action, in a community that lets technicians grab
    w = await repair_world(api)
    await s.run(api, s.SETTINGS, w.tokens["admin"], communityId=w.community_id, input={"allowGrab": True})
    for action, (who, mutation, extra, legal_from, to) in ACTIONS.items():
        tid = await ticket_in(api, w, start)
        variables = {k: (w.tech_id(v) if k == "technicianId" else v) for k, v in extra.items()}
        # when
        payload = await s.run(api, mutation, w.tokens[who], id=tid, **variables)
        # then
        if start in legal_from:
            assert payload["errors"] == [], (action, start, payload)
            assert payload["ticket"]["status"] == to, (action, start)
        else:
            expected = SPECIAL.get((action, start), "ILLEGAL_TRANSITION")
            assert [e["code"] for e in payload["errors"]] == [expected], (action, start, payload)
            assert payload["ticket"] is None
            node = await api.gql(s.NODE, {"id": tid}, token=w.tokens["manager"])
            assert node["node"]["status"] == start, (action, start)


async def test_each_transition_is_on_the_timeline_with_actor_and_statuses(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "RATED")
    # when
    await s.ok(api, s.NOTE, w.tokens["manager"], id=tid, note="Called the owner")
    data = await api.gql(s.NODE, {"id": tid}, token=w.tokens["owner"])
    # then
    steps = [(e["kind"], e["fromStatus"], e["toStatus"]) for e in data["node"]["timeline"]]
    assert steps == [
        ("CREATED", None, "SUBMITTED"), ("ACCEPTED", "SUBMITTED", "ACCEPTED"), ("ASSIGNED", "ACCEPTED", "ASSIGNED"),
        ("STARTED", "ASSIGNED", "IN_PROGRESS"), ("COMPLETED", "IN_PROGRESS", "COMPLETED"),
        ("RATED", "COMPLETED", "RATED"), ("NOTE", None, None),
    ]
    assert data["node"]["timeline"][-1]["note"] == "Called the owner"
    assert data["node"]["timeline"][0]["actorName"] == "Owner A"


async def test_reopen_goes_back_to_accepted_counts_and_needs_a_new_assignment(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "RATED")
    # when
    ticket = await s.ok(api, s.REOPEN, w.tokens["owner"], id=tid)
    # then
    assert ticket["status"] == "ACCEPTED" and ticket["reopenCount"] == 1 and ticket["technician"] is None
    # and it runs again to completion; a second rating is refused, closing works
    await s.ok(api, s.ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(1))
    await s.ok(api, s.START, w.tokens["tech2"], id=tid)
    await s.ok(api, s.COMPLETE, w.tokens["tech2"], id=tid)
    again = await s.run(api, s.RATE, w.tokens["owner"], id=tid, input={"speed": 1, "quality": 1, "attitude": 1})
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RATED"]
    assert (await s.ok(api, s.REOPEN, w.tokens["owner"], id=tid))["reopenCount"] == 2


@pytest.mark.parametrize(("days", "allowed"), [(6, True), (8, False)])
async def test_reopen_only_within_seven_days_of_completion(api, days, allowed):
    # given a ticket completed `days` ago
    w = await repair_world(api)
    tid = await ticket_in(api, w, "COMPLETED")
    await Ticket.filter(id=decode_id(tid, "Ticket")).update(completed_at=datetime.now(UTC) - timedelta(days=days))
    # when
    payload = await s.run(api, s.REOPEN, w.tokens["owner"], id=tid)
    # then
    if allowed:
        assert payload["errors"] == [] and payload["ticket"]["status"] == "ACCEPTED"
    else:
        assert [e["code"] for e in payload["errors"]] == ["REOPEN_WINDOW_PASSED"]


@pytest.mark.parametrize(("days", "allowed"), [(6, True), (8, False)])
async def test_a_ticket_staff_closed_reopens_within_seven_days_of_completion(api, days, allowed):
    # given a ticket completed `days` ago and closed by staff since
    w = await repair_world(api)
    tid = await ticket_in(api, w, "COMPLETED")
    await s.ok(api, s.CLOSE, w.tokens["manager"], id=tid)
    await Ticket.filter(id=decode_id(tid, "Ticket")).update(completed_at=datetime.now(UTC) - timedelta(days=days))
    # when the reporter reopens it
    payload = await s.run(api, s.REOPEN, w.tokens["owner"], id=tid)
    # then it is open again within the window (and no longer closed), refused after it
    if allowed:
        assert payload["errors"] == [] and payload["ticket"]["status"] == "ACCEPTED"
        assert (await Ticket.get(id=decode_id(tid, "Ticket"))).closed_at is None
    else:
        assert [e["code"] for e in payload["errors"]] == ["REOPEN_WINDOW_PASSED"]


async def test_reopen_window_counts_from_the_rating_when_rated_later(api):
    # given completed 10 days ago but rated 2 days ago
    w = await repair_world(api)
    tid = await ticket_in(api, w, "RATED")
    at = datetime.now(UTC)
    await Ticket.filter(id=decode_id(tid, "Ticket")).update(completed_at=at - timedelta(days=10),
                                                             rated_at=at - timedelta(days=2))
    # when / then
    assert (await s.ok(api, s.REOPEN, w.tokens["owner"], id=tid))["status"] == "ACCEPTED"


async def test_rating_is_once_and_scores_are_checked(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "COMPLETED")
    # when a score is out of range
    bad = await s.run(api, s.RATE, w.tokens["owner"], id=tid, input={"speed": 6, "quality": 4, "attitude": 5})
    # then
    assert bad["errors"] == [{"field": "speed", "code": "INVALID"}]
    long = await s.run(api, s.RATE, w.tokens["owner"], id=tid,
                       input={"speed": 5, "quality": 4, "attitude": 5, "comment": "x" * 501})
    assert long["errors"] == [{"field": "comment", "code": "TOO_LONG"}]
    # when rated properly, then the rating shows and a second one is refused
    rated = await s.ok(api, s.RATE, w.tokens["owner"], id=tid,
                       input={"speed": 5, "quality": 4, "attitude": 3, "comment": "Quick and tidy"})
    assert rated["rating"] == {"speed": 5, "quality": 4, "attitude": 3, "comment": "Quick and tidy"}
    again = await s.run(api, s.RATE, w.tokens["owner"], id=tid, input={"speed": 1, "quality": 1, "attitude": 1})
    assert [e["code"] for e in again["errors"]] == ["ILLEGAL_TRANSITION"]


async def test_reject_needs_a_reason_and_shows_it(api):
    # given
    w = await repair_world(api)
    tid = await ticket_in(api, w, "SUBMITTED")
    # when
    empty = await s.run(api, s.REJECT, w.tokens["manager"], id=tid, reason="  ")
    rejected = await s.ok(api, s.REJECT, w.tokens["manager"], id=tid, reason="Private installation")
    # then
    assert empty["errors"] == [{"field": "reason", "code": "REQUIRED"}]
    assert rejected["status"] == "REJECTED" and rejected["rejectReason"] == "Private installation"
