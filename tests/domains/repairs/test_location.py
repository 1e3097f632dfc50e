"""Technician position sharing: consent per ticket, only while in progress, 2-hour expiry, deleted when done."""

from __future__ import annotations

from datetime import timedelta

from backend.domains.repairs.location import purge_expired
from backend.domains.repairs.models import TechnicianPosition, Ticket
from backend.domains.repairs.workflow import now
from tests.domains.repairs.support import (
    ASSIGN,
    COMPLETE,
    START,
    ok,
    repair_world,
    run,
    second_owner,
    ticket_in,
)

CONSENT = """mutation($id: ID!, $consent: Boolean!) { ticketLocationConsent(id: $id, consent: $consent) {
  ticket { locationConsent } errors { field code } } }"""
REPORT = """mutation($id: ID!, $input: TicketPositionInput!) { ticketLocationReport(id: $id, input: $input) {
  ticket { id } errors { field code } } }"""
SEE = """query($id: ID!) { node(id: $id) { ... on Ticket { status locationConsent
  technicianPosition { latitude longitude accuracy recordedAt expiresAt } } } }"""
HERE = {"latitude": 31.230416, "longitude": 121.473701, "accuracy": 15}


async def _position(api, tid: str, token: str):
    node = (await api.gql(SEE, {"id": tid}, token=token))["node"]
    return node and node["technicianPosition"]


async def test_the_owner_sees_the_position_only_with_consent_and_while_work_is_in_progress(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    # no consent yet: a report is refused with a code
    assert (await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=False))["locationConsent"] is False
    await ok(api, START, w.tokens["tech1"], id=tid)
    assert (await run(api, REPORT, w.tokens["tech1"], id=tid, input=HERE))["errors"] == [
        {"field": "id", "code": "LOCATION_NOT_SHARED"}]
    # consent, then a report: the owner and staff see it
    assert (await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True))["locationConsent"] is True
    assert (await run(api, REPORT, w.tokens["tech1"], id=tid, input=HERE))["errors"] == []
    seen = await _position(api, tid, w.tokens["owner"])
    assert (seen["latitude"], seen["longitude"], seen["accuracy"]) == (31.230416, 121.473701, 15)
    assert await _position(api, tid, w.tokens["manager"]) == seen
    # another owner, or the other technician, cannot reach the ticket at all
    _, neighbour, _ = await second_owner(w)
    assert (await api.gql(SEE, {"id": tid}, token=neighbour))["node"] is None
    assert (await api.gql(SEE, {"id": tid}, token=w.tokens["tech2"]))["node"] is None
    assert (await run(api, REPORT, w.tokens["tech2"], id=tid, input=HERE))["errors"][0]["code"] == "NOT_FOUND"
    # completion deletes the position and ends the consent
    await ok(api, COMPLETE, w.tokens["tech1"], id=tid)
    assert await TechnicianPosition.filter(ticket_id=int(await _pk(tid))).count() == 0
    node = (await api.gql(SEE, {"id": tid}, token=w.tokens["owner"]))["node"]
    assert node["technicianPosition"] is None and node["locationConsent"] is False


async def _pk(tid: str) -> int:
    from backend.core.ids import decode_id

    return decode_id(tid, "Ticket")


async def test_positions_are_accepted_only_while_in_progress_and_validated(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True)
    assert (await run(api, REPORT, w.tokens["tech1"], id=tid, input=HERE))["errors"] == [
        {"field": "id", "code": "ILLEGAL_TRANSITION"}]
    await ok(api, START, w.tokens["tech1"], id=tid)
    for bad, field in (({"latitude": 91, "longitude": 0}, "latitude"), ({"latitude": 0, "longitude": -181}, "longitude"),
                       ({"latitude": 0, "longitude": 0, "accuracy": -1}, "accuracy")):
        assert (await run(api, REPORT, w.tokens["tech1"], id=tid, input=bad))["errors"] == [
            {"field": field, "code": "INVALID"}]
    assert await TechnicianPosition.all().count() == 0
    # repeated reports keep one row, the latest
    await ok(api, REPORT, w.tokens["tech1"], id=tid, input=HERE)
    await ok(api, REPORT, w.tokens["tech1"], id=tid, input={"latitude": 31.24, "longitude": 121.48})
    assert await TechnicianPosition.all().count() == 1
    assert (await _position(api, tid, w.tokens["owner"]))["latitude"] == 31.24


async def test_a_position_expires_after_two_hours_and_is_purged(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True)
    await ok(api, REPORT, w.tokens["tech1"], id=tid, input=HERE)
    seen = await _position(api, tid, w.tokens["owner"])
    assert seen is not None
    row = await TechnicianPosition.get(ticket_id=await _pk(tid))
    assert row.expires_at - row.recorded_at == timedelta(hours=2)
    # two hours later it is no longer shown, and the maintenance purge deletes it
    await TechnicianPosition.filter(id=row.id).update(expires_at=now() - timedelta(seconds=1))
    assert await _position(api, tid, w.tokens["owner"]) is None
    assert await purge_expired() == 1 and await TechnicianPosition.all().count() == 0


async def test_withdrawing_consent_or_reassignment_deletes_what_was_shared(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True)
    await ok(api, REPORT, w.tokens["tech1"], id=tid, input=HERE)
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=False)
    assert await TechnicianPosition.all().count() == 0 and await _position(api, tid, w.tokens["owner"]) is None
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True)
    await ok(api, REPORT, w.tokens["tech1"], id=tid, input=HERE)
    await ok(api, ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(1))
    assert await TechnicianPosition.all().count() == 0
    assert (await Ticket.get(id=await _pk(tid))).location_consent is False
    # the new technician must consent for themselves
    await ok(api, START, w.tokens["tech2"], id=tid)
    assert (await run(api, REPORT, w.tokens["tech2"], id=tid, input=HERE))["errors"][0]["code"] == "LOCATION_NOT_SHARED"


async def test_the_owner_sees_how_far_the_technician_is_from_the_community(api):
    # Given a community whose position staff set, and a technician sharing theirs while at work
    w = await repair_world(api)
    set_at = await api.gql("""mutation($id: ID!, $input: CommunityInput!) { communityUpdate(id: $id, input: $input) {
      community { latitude longitude } errors { field code } } }""", {"id": w.community_id, "input": {
        "name": "Garden", "latitude": 31.2304, "longitude": 121.4737}}, token=w.tokens["admin"])
    assert set_at["communityUpdate"] == {"community": {"latitude": 31.2304, "longitude": 121.4737}, "errors": []}
    tid = await ticket_in(api, w, "ASSIGNED")
    await ok(api, CONSENT, w.tokens["tech1"], id=tid, consent=True)
    await ok(api, START, w.tokens["tech1"], id=tid)
    # When they report a position about 1.1 km north (0.01 degree of latitude)
    assert (await run(api, REPORT, w.tokens["tech1"], id=tid, input={"latitude": 31.2404, "longitude": 121.4737}))[
        "errors"] == []
    # Then the owner sees the distance in metres
    seen = (await api.gql("""query($id: ID!) { node(id: $id) { ... on Ticket { technicianPosition {
      distanceMeters } } } }""", {"id": tid}, token=w.tokens["owner"]))["node"]["technicianPosition"]
    assert 1105 <= seen["distanceMeters"] <= 1120, seen


async def test_a_community_position_needs_both_coordinates_in_range(api):
    w = await repair_world(api)
    update = """mutation($id: ID!, $input: CommunityInput!) { communityUpdate(id: $id, input: $input) {
      community { latitude } errors { field code } } }"""
    for coords, field, code in (({"latitude": 31.2}, "longitude", "REQUIRED"), ({"longitude": 121.4}, "latitude", "REQUIRED"),
                                ({"latitude": 90.5, "longitude": 0}, "latitude", "INVALID"),
                                ({"latitude": 0, "longitude": -180.5}, "longitude", "INVALID")):
        body = await api.gql(update, {"id": w.community_id, "input": {"name": "Garden", **coords}},
                             token=w.tokens["admin"])
        assert body["communityUpdate"] == {"community": None, "errors": [{"field": field, "code": code}]}, coords
