"""What the job tests share: a registry of the test's own jobs, runners stopped after the test, and waiting for a
run to finish. tests/conftest.py registers the fixtures for every test (pytest_plugins)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from backend.core import jobs
from backend.core.jobs import JobRunner
from backend.domains.jobs.models import JobRun, JobRunStatus


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, jobs.JobSpec]:
    """A registry of this test's own jobs (the app's stay declared, untouched)."""
    mine = dict(jobs.JOBS)
    monkeypatch.setattr(jobs, "JOBS", mine)
    return mine


@pytest.fixture
async def runners() -> AsyncIterator[list[JobRunner]]:
    made: list[JobRunner] = []
    yield made
    for runner in made:
        await runner.stop()


async def settled(key: str, within: float = 10.0) -> JobRun:
    """The run once it has finished for good (runs happen in the background)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        row = await JobRun.get_or_none(occurrence_key=key)
        if row is not None and row.status in (JobRunStatus.SUCCEEDED, JobRunStatus.FAILED):
            return row
        assert asyncio.get_running_loop().time() < deadline, row and (row.status, row.attempts)
        await asyncio.sleep(0.02)
