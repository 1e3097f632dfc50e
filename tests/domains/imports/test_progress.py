"""Import progress: the importProgress subscription yields the job now, then every batch, then the result."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.core.context import Context
from backend.domains.auth.service import authenticate
from backend.schema import schema
from tests.domains.imports.support import commit, preview, xlsx
from tests.factories import make_world, token_for

SUBSCRIBE = "subscription($jobId: ID!) { importProgress(jobId: $jobId) { id status processed totalRows } }"


async def _context(token: str) -> Context:
    ctx = Context()
    ctx.authenticator = authenticate
    ctx.authorization = f"Bearer {token}"
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    return ctx


async def _subscribe(token: str, job_id: str) -> Any:
    return await schema.subscribe(SUBSCRIBE, variable_values={"jobId": job_id}, context_value=await _context(token))


async def test_progress_streams_every_batch_until_done(api):
    # Given a previewed import of 1,200 units (three batches) and a subscriber
    w = await make_world("A")
    token = await token_for(w.admin)
    data = xlsx("UNITS", [[w.community.name, w.building.name, f"G{i}", 2, 60, ""] for i in range(1200)])
    job = (await preview(api, "UNITS", data, token))["job"]
    stream = await _subscribe(token, job["id"])
    first = await asyncio.wait_for(stream.__anext__(), 5)
    assert first.errors is None and first.data["importProgress"]["status"] == "PREVIEWED"
    # When the job is committed
    committing = asyncio.create_task(commit(api, job["id"], token))
    seen: list[tuple[str, int]] = []
    while not seen or seen[-1][0] != "DONE":
        result = await asyncio.wait_for(stream.__anext__(), 10)
        assert result.errors is None, result.errors
        seen.append((result.data["importProgress"]["status"], result.data["importProgress"]["processed"]))
    await stream.aclose()
    assert (await committing)["job"]["status"] == "DONE"
    # Then progress rose batch by batch to the total
    counts = [n for status, n in seen if status == "COMMITTING"]
    assert counts == sorted(counts) and {500, 1000} <= set(counts)
    assert seen[-1] == ("DONE", 1200)


async def test_a_finished_job_yields_once_and_ends(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    job = (await preview(api, "UNITS", xlsx("UNITS", [[w.community.name, w.building.name, "Z1", 1, 9, ""]]), token))["job"]
    await commit(api, job["id"], token)
    stream = await _subscribe(token, job["id"])
    results = [r async for r in stream]
    assert [r.data["importProgress"]["status"] for r in results] == ["DONE"]


async def test_another_company_cannot_follow_a_job(api):
    a, b = await make_world("A"), await make_world("B")
    token_a, token_b = await token_for(a.admin), await token_for(b.admin)
    job = (await preview(api, "UNITS", xlsx("UNITS", [[a.community.name, a.building.name, "Z2", 1, 9, ""]]), token_a))["job"]
    stream = await _subscribe(token_b, job["id"])
    results = [stream] if not hasattr(stream, "__anext__") else [r async for r in stream]
    assert len(results) == 1 and results[0].data is None
    assert [e.extensions["code"] for e in results[0].errors] == ["NOT_FOUND"]
