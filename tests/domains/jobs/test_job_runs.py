"""Job runs in the API: platform administrators see runs and declared jobs; nobody else does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend import maintenance
from backend.core import jobs
from backend.core.jobs import JobRunner
from backend.domains.jobs.models import JobRun, JobRunStatus
from tests.factories import make_platform_admin, make_world, token_for

RUNS = """query($first: Int, $after: String, $name: String, $status: JobRunStatus) {
  jobRuns(first: $first, after: $after, name: $name, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { __typename name occurrenceKey status attempts startedAt finishedAt durationMs error }
  }
}"""
JOBS = """{ jobs { name schedule timezone maxAttempts lastStatus lastDurationMs failuresLast24h
  lastRun { occurrenceKey status } } }"""


def codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


async def no_wait(_: float) -> None:
    return None


async def run(runner: JobRunner, name: str, key: str) -> None:
    assert await runner.enqueue(name, key=key)
    for _ in range(500):
        row = await JobRun.get(occurrence_key=key)
        if row.status in (JobRunStatus.SUCCEEDED, JobRunStatus.FAILED):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{key} did not finish")


@pytest.fixture
async def history(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two housekeeping passes and a job that fails every attempt, run by the in-process runner."""
    registry = dict(jobs.JOBS)
    monkeypatch.setattr(jobs, "JOBS", registry)

    async def broken() -> None:
        raise RuntimeError("bill run exploded")

    jobs.job("test.broken", max_attempts=2, backoff=0.01)(broken)
    runner = JobRunner(sleep=no_wait)
    await runner.start(work=True, schedule=False)
    try:
        await run(runner, "maintenance.purge", "maintenance.purge#1")
        await run(runner, "maintenance.purge", "maintenance.purge#2")
        await run(runner, "test.broken", "test.broken#1")
    finally:
        await runner.stop()


async def test_platform_admins_see_job_runs_newest_first_with_filters(api, history):
    token = await token_for(await make_platform_admin())

    data = await api.gql(RUNS, {"first": 10}, token)
    page = data["jobRuns"]
    assert page["totalCount"] == 3
    assert [n["occurrenceKey"] for n in page["nodes"]] == ["test.broken#1", "maintenance.purge#2",
                                                         "maintenance.purge#1"]
    failed = page["nodes"][0]
    assert (failed["__typename"], failed["status"], failed["attempts"]) == ("JobRun", "FAILED", 2)
    assert failed["error"] == "RuntimeError: bill run exploded" and failed["finishedAt"]

    data = await api.gql(RUNS, {"first": 1, "name": "maintenance.purge", "status": "SUCCEEDED"}, token)
    page = data["jobRuns"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    assert page["nodes"][0]["occurrenceKey"] == "maintenance.purge#2"
    data = await api.gql(RUNS, {"first": 1, "name": "maintenance.purge", "after": page["pageInfo"]["endCursor"]},
                         token)
    assert [n["occurrenceKey"] for n in data["jobRuns"]["nodes"]] == ["maintenance.purge#1"]


async def test_platform_admins_see_each_declared_job_with_its_latest_run(api, history):
    token = await token_for(await make_platform_admin())

    data = await api.gql(JOBS, token=token)

    by_name = {j["name"]: j for j in data["jobs"]}
    purge = by_name["maintenance.purge"]
    assert purge["schedule"] is None  # MAINTENANCE_INTERVAL=0 in tests: on demand only
    assert purge["timezone"] == "Asia/Shanghai"
    assert (purge["lastStatus"], purge["failuresLast24h"]) == ("SUCCEEDED", 0)
    assert purge["lastRun"] == {"occurrenceKey": "maintenance.purge#2", "status": "SUCCEEDED"}
    assert purge["lastDurationMs"] is not None
    broken = by_name["test.broken"]
    assert (broken["lastStatus"], broken["failuresLast24h"], broken["maxAttempts"]) == ("FAILED", 1, 2)


@pytest.mark.parametrize("query", [RUNS, JOBS], ids=["jobRuns", "jobs"])
async def test_nobody_else_sees_job_runs(api, history, query):
    w = await make_world("Jobs")
    for user in (w.admin, w.owner):
        body = await api.raw(query, {}, token=await token_for(user))
        assert codes(body) == {"FORBIDDEN"} and body["data"] is None, body
    body = await api.raw(query, {})
    assert codes(body) == {"UNAUTHENTICATED"} and body["data"] is None, body


def test_the_housekeeping_job_is_declared():
    assert jobs.JOBS["maintenance.purge"].fn is maintenance.purge
