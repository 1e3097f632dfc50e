"""Housekeeping: the pass removes expired positions and day-old unattached uploads, and keeps everything else;
the CLI runs it on demand and the job runner on its interval, retrying a failed pass."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from datetime import timedelta

import pytest

from backend import maintenance
from backend.core import jobs
from backend.core.ids import decode_id
from backend.core.jobs import JobRunner
from backend.domains.files.models import Upload
from backend.domains.jobs.models import JobRun, JobRunStatus
from backend.domains.repairs.models import TechnicianPosition
from backend.domains.repairs.workflow import now
from backend.settings import load_settings
from tests.domains.files.support import jpeg, uploaded
from tests.domains.repairs.support import ok, repair_world, ticket_in

CONSENT = "mutation($id: ID!) { ticketLocationConsent(id: $id, consent: true) { ticket { id } errors { code } } }"
KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
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

    assert await maintenance.run_once() == {"positions": 1, "uploads": 1, "job_runs": 0}
    assert await Upload.filter(id=decode_id(fresh["id"], "StoredFile")).exists()
    assert not await Upload.filter(id=decode_id(old["id"], "StoredFile")).exists()
    assert await TechnicianPosition.filter(ticket_id=decode_id(kept, "Ticket")).exists()
    assert await maintenance.run_once() == {"positions": 0, "uploads": 0, "job_runs": 0}


@pytest.mark.parametrize(("interval", "schedule"), [
    (900, "*/15 * * * *"), (300, "*/5 * * * *"), (3600, "0 * * * *"), (90, 90), (7200, 7200), (0, None),
])
def test_the_job_runs_on_the_maintenance_interval(monkeypatch, interval, schedule):
    settings = replace(load_settings({"COURTYARD_ENV": "test", "SECRET_KEY": "k" * 40,
                                      "FIELD_ENCRYPTION_KEY": KEY, "FIELD_HASH_KEY": KEY}),
                       maintenance_interval=interval)
    monkeypatch.setattr(maintenance, "get_settings", lambda: settings)
    assert jobs.JOBS["maintenance.purge"].current_schedule() == schedule


async def test_a_failing_pass_is_retried_by_the_job_runner(app, monkeypatch):
    calls: list[int] = []

    async def fake_pass() -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return {"positions": 0, "uploads": 0}

    async def no_wait(_: float) -> None:
        return None

    monkeypatch.setattr(maintenance, "run_once", fake_pass)
    runner = JobRunner(sleep=no_wait)
    await runner.start(work=True, schedule=False)
    try:
        assert await runner.enqueue("maintenance.purge", key="maintenance.purge#retry")
        for _ in range(250):
            run = await JobRun.get(occurrence_key="maintenance.purge#retry")
            if run.status == JobRunStatus.SUCCEEDED:
                break
            await asyncio.sleep(0.02)
    finally:
        await runner.stop()
    assert (run.status, run.attempts, len(calls)) == (JobRunStatus.SUCCEEDED, 2, 2)
