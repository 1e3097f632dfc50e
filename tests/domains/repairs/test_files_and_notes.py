"""Photos and video on tickets, work photos on timeline steps, staff-only notes, the technician's 接单 step and
who sees the reporter's phone."""

from __future__ import annotations

from backend.core.crypto import open_phone
from backend.domains.files.models import Upload
from backend.domains.repairs.models import Ticket
from tests.domains.files.support import jpeg, mp4, uploaded
from tests.domains.repairs.support import (
    ACCEPT,
    ASSIGN,
    START,
    create,
    ok,
    repair_world,
    run,
    second_owner,
    ticket_in,
)

FILES = "files { id kind contentType url }"
DETAIL = f"""query($id: ID!) {{ node(id: $id) {{ ... on Ticket {{ status acknowledgedAt contactPhone {FILES}
  timeline {{ kind note internal {FILES} }} }} }} }}"""
COMPLETE_WITH = """mutation($id: ID!, $note: String, $fileIds: [ID!]) {
  ticketComplete(id: $id, note: $note, fileIds: $fileIds) { ticket { status } errors { field code } } }"""
NOTE_WITH = """mutation($id: ID!, $note: String!, $internal: Boolean, $fileIds: [ID!]) {
  ticketNoteAdd(id: $id, note: $note, internal: $internal, fileIds: $fileIds) { ticket { id } errors { field code } } }"""
ACK = "mutation($id: ID!) { ticketAssignmentAccept(id: $id) { ticket { status acknowledgedAt } errors { field code } } }"


async def _detail(api, tid: str, token: str) -> dict:
    return (await api.gql(DETAIL, {"id": tid}, token=token))["node"]


async def test_an_owner_reports_with_photos_and_a_video_that_staff_then_see(api):
    w = await repair_world(api)
    photos = [await uploaded(api, jpeg(), w.tokens["owner"]) for _ in range(2)]
    video = await uploaded(api, mp4(64), w.tokens["owner"], purpose="TICKET_VIDEO", name="v.mp4",
                           content_type="video/mp4")
    ids = [photos[0]["id"], video["id"], photos[1]["id"]]
    created = await create(api, w, fileIds=ids)
    assert created["errors"] == []
    tid = created["ticket"]["id"]
    for who in ("owner", "manager"):
        files = (await _detail(api, tid, w.tokens[who]))["files"]
        assert sorted(f["id"] for f in files) == sorted(ids)
        assert {f["kind"] for f in files} == {"IMAGE", "VIDEO"}
        assert all(f["url"].startswith("/api/files/") for f in files)
    # the signed URL serves the bytes
    url = next(f["url"] for f in (await _detail(api, tid, w.tokens["manager"]))["files"] if f["id"] == photos[0]["id"])
    resp = await api.client.get(url)
    assert resp.status_code == 200 and resp.content == jpeg()


async def test_a_retry_with_the_same_key_claims_nothing_twice(api):
    w = await repair_world(api)
    photo = await uploaded(api, jpeg(), w.tokens["owner"])
    first = await create(api, w, fileIds=[photo["id"]], idempotencyKey="same")
    again = await create(api, w, fileIds=[photo["id"]], idempotencyKey="same")
    assert first["errors"] == again["errors"] == [] and first["ticket"]["id"] == again["ticket"]["id"]
    assert await Ticket.all().count() == 1
    assert len((await _detail(api, first["ticket"]["id"], w.tokens["owner"]))["files"]) == 1


async def test_files_past_the_limits_or_not_the_callers_are_refused_and_nothing_is_written(api):
    w = await repair_world(api)
    _, neighbour, _ = await second_owner(w)
    ten = [(await uploaded(api, jpeg(), w.tokens["owner"]))["id"] for _ in range(10)]
    assert (await create(api, w, fileIds=ten))["errors"] == [{"field": "fileIds", "code": "TOO_MANY_FILES"}]
    videos = [(await uploaded(api, mp4(), w.tokens["owner"], purpose="TICKET_VIDEO", name="v.mp4",
                              content_type="video/mp4"))["id"] for _ in range(2)]
    assert (await create(api, w, fileIds=videos))["errors"] == [{"field": "fileIds", "code": "TOO_MANY_FILES"}]
    theirs = await uploaded(api, jpeg(), neighbour)
    assert (await create(api, w, fileIds=[ten[0], theirs["id"]]))["errors"] == [
        {"field": "fileIds", "code": "NOT_FOUND"}]
    # a staff work photo is not a report photo
    work = await uploaded(api, jpeg(), w.tokens["tech1"], purpose="TICKET_WORK_PHOTO")
    assert (await run(api, "mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { errors { code } } }",
                      w.tokens["tech1"], input={"unitId": w.unit_id, "categoryId": w.categories["水电"],
                                                "description": "x", "idempotencyKey": "k", "fileIds": [work["id"]]}
                      ))["errors"] != []
    # every refusal rolled back: no ticket, and the uploads are still unattached for a corrected retry
    assert await Ticket.all().count() == 0
    assert await Upload.filter(attached_to__not_isnull=True).count() == 0
    assert (await create(api, w, fileIds=ten[:9]))["errors"] == []


async def test_the_technician_completes_with_work_photos_the_owner_sees_on_the_timeline(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    photos = [(await uploaded(api, jpeg(), w.tokens["tech1"], purpose="TICKET_WORK_PHOTO"))["id"] for _ in range(3)]
    # another technician's photos cannot be claimed
    foreign = await uploaded(api, jpeg(), w.tokens["tech2"], purpose="TICKET_WORK_PHOTO")
    payload = await run(api, COMPLETE_WITH, w.tokens["tech1"], id=tid, note="Washer replaced",
                        fileIds=[*photos, foreign["id"]])
    assert payload["errors"] == [{"field": "fileIds", "code": "NOT_FOUND"}]
    assert (await _detail(api, tid, w.tokens["owner"]))["status"] == "IN_PROGRESS"
    payload = await run(api, COMPLETE_WITH, w.tokens["tech1"], id=tid, note="Washer replaced", fileIds=photos)
    assert payload == {"ticket": {"status": "COMPLETED"}, "errors": []}
    step = (await _detail(api, tid, w.tokens["owner"]))["timeline"][-1]
    assert step["kind"] == "COMPLETED" and step["note"] == "Washer replaced"
    assert [f["id"] for f in step["files"]] == photos


async def test_internal_notes_are_for_staff_and_notes_carry_photos(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    photo = await uploaded(api, jpeg(), w.tokens["tech1"], purpose="TICKET_WORK_PHOTO")
    assert (await run(api, NOTE_WITH, w.tokens["tech1"], id=tid, note="Pipe is old", fileIds=[photo["id"]]))[
        "errors"] == []
    assert (await run(api, NOTE_WITH, w.tokens["manager"], id=tid, note="Owner was rude before",
                      internal=True))["errors"] == []
    staff_view = [(e["note"], e["internal"]) for e in (await _detail(api, tid, w.tokens["manager"]))["timeline"]
                  if e["kind"] == "NOTE"]
    assert staff_view == [("Pipe is old", False), ("Owner was rude before", True)]
    owner_view = (await _detail(api, tid, w.tokens["owner"]))["timeline"]
    notes = [e for e in owner_view if e["kind"] == "NOTE"]
    assert [e["note"] for e in notes] == ["Pipe is old"] and [f["id"] for f in notes[0]["files"]] == [photo["id"]]


async def test_the_technician_takes_the_job_once_per_assignment(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "ASSIGNED")
    # only the assigned technician
    assert (await run(api, ACK, w.tokens["tech2"], id=tid))["errors"][0]["code"] == "NOT_FOUND"
    mine = "query($id: ID!) { node(id: $id) { ... on Ticket { assignedToViewer } } }"
    seen = {who: (await api.gql(mine, {"id": tid}, token=w.tokens[who]))["node"] for who in ("tech1", "manager", "owner")}
    assert seen == {"tech1": {"assignedToViewer": True}, "manager": {"assignedToViewer": False},
                    "owner": {"assignedToViewer": False}}
    acked = await ok(api, ACK, w.tokens["tech1"], id=tid)
    assert acked["status"] == "ASSIGNED" and acked["acknowledgedAt"] is not None
    assert (await run(api, ACK, w.tokens["tech1"], id=tid))["errors"] == [{"field": "id", "code": "ILLEGAL_TRANSITION"}]
    detail = await _detail(api, tid, w.tokens["owner"])
    assert [e["kind"] for e in detail["timeline"]][-1] == "ACKNOWLEDGED"
    # reassignment asks the new technician to take it again
    await ok(api, ASSIGN, w.tokens["manager"], id=tid, technicianId=w.tech_id(1))
    assert (await _detail(api, tid, w.tokens["manager"]))["acknowledgedAt"] is None
    assert (await ok(api, ACK, w.tokens["tech2"], id=tid))["acknowledgedAt"] is not None
    # starting without taking it first counts as taking it
    other = (await create(api, w))["ticket"]["id"]
    await ok(api, ACCEPT, w.tokens["manager"], id=other)
    await ok(api, ASSIGN, w.tokens["manager"], id=other, technicianId=w.tech_id(0))
    await ok(api, START, w.tokens["tech1"], id=other)
    assert (await _detail(api, other, w.tokens["manager"]))["acknowledgedAt"] is not None


async def test_the_reporters_phone_is_for_staff_and_for_the_technician_while_the_job_is_open(api):
    w = await repair_world(api)
    tid = await ticket_in(api, w, "IN_PROGRESS")
    phone = open_phone(w.owner.phone_enc, w.owner.phone_hash)
    manager_sees = (await _detail(api, tid, w.tokens["manager"]))["contactPhone"]
    assert manager_sees == phone
    assert (await _detail(api, tid, w.tokens["tech1"]))["contactPhone"] == manager_sees
    assert (await _detail(api, tid, w.tokens["owner"]))["contactPhone"] is None
    assert (await run(api, COMPLETE_WITH, w.tokens["tech1"], id=tid))["errors"] == []
    assert (await _detail(api, tid, w.tokens["tech1"]))["contactPhone"] is None
    assert (await _detail(api, tid, w.tokens["manager"]))["contactPhone"] == manager_sees

