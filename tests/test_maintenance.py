"""Housekeeping: the pass removes expired positions and day-old unattached uploads, and keeps everything else;
the CLI runs it on demand and the server runs it on its interval."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend import maintenance
from backend.core.ids import decode_id
from backend.domains.files.models import Upload
from backend.domains.repairs.models import TechnicianPosition
from backend.domains.repairs.workflow import now
from tests.domains.files.support import jpeg, uploaded
from tests.domains.repairs.support import ok, repair_world, ticket_in

CONSENT = "mutation($id: ID!) { ticketLocationConsent(id: $id, consent: true) { ticket { id } errors { code } } }"
REPORT = """mutation($id: ID!) { ticketLocationReport(id: $id, input: {latitude: 31.2, longitude: 121.4}) {
  ticket { id } errors { code } } }"""


async def test_a_pass_removes_only_what_has_expired(api):
    w = await repair_world(api)
    old, fresh = [await uploaded(api, jpeg(), w.tokens["owner"]) for _ in range(2)]
    await Upload.filter(id=decode_id(old["id"], "StoredFile")).update(created_at=now() - timedelta(hours=25))
    kept, gone = await ticket_in(api, w, "IN_PROGRESS"), await ticket_in(api, w, "IN_PROGRESS")
    for tid in (kept, gone):
        await ok(api, CONSENT, w.tokens["tech1"], id=tid)
        await ok(api, REPORT, w.tokens["tech1"], id=tid)
    await TechnicianPosition.filter(ticket_id=decode_id(gone, "Ticket")).update(expires_at=now() - timedelta(minutes=1))

    assert await maintenance.run_once() == {"positions": 1, "uploads": 1}
    assert await Upload.filter(id=decode_id(fresh["id"], "StoredFile")).exists()
    assert not await Upload.filter(id=decode_id(old["id"], "StoredFile")).exists()
    assert await TechnicianPosition.filter(ticket_id=decode_id(kept, "Ticket")).exists()
    assert await maintenance.run_once() == {"positions": 0, "uploads": 0}


async def test_the_loop_runs_a_pass_per_interval_and_survives_a_failing_pass(monkeypatch):
    calls: list[int] = []
    third = asyncio.Event()

    async def fake_pass() -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        if len(calls) == 3:
            third.set()
        return {"positions": 0, "uploads": 0}

    monkeypatch.setattr(maintenance, "run_once", fake_pass)
    task = asyncio.create_task(maintenance.loop(0))
    await asyncio.wait_for(third.wait(), 5)  # the failing first pass did not end the loop
    task.cancel()
