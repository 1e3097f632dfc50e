"""Job runs do not grow forever: the housekeeping pass deletes finished runs older than JOB_RUN_RETENTION_DAYS,
keeping each job's latest ones whatever their age, and never a run still queued or running."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from backend import maintenance
from backend.core.orm import column
from backend.domains.jobs.models import JobRun, JobRunStatus
from backend.domains.jobs.service import KEEP_PER_JOB
from backend.settings import SettingsError, get_settings, load_settings

DONE, FAILED, QUEUED, RUNNING = (JobRunStatus.SUCCEEDED, JobRunStatus.FAILED, JobRunStatus.QUEUED,
                                 JobRunStatus.RUNNING)


async def runs(name: str, status: JobRunStatus, days_ago: float, count: int) -> list[int]:
    """`count` runs of `name` created `days_ago`; their ids, oldest first."""
    created = datetime.now(UTC) - timedelta(days=days_ago)
    ids = []
    for _ in range(count):
        row = await JobRun.create(name=name, occurrence_key=f"{name}#{len(ids)}-{days_ago}-{status}", status=status)
        ids.append(row.id)
    await JobRun.filter(id__in=ids).update(created_at=created)
    return ids


async def kept(name: str) -> list[int]:
    return await column(JobRun.filter(name=name).order_by("id"), "id")


async def test_housekeeping_trims_old_finished_runs_beyond_each_jobs_latest(app):
    # A frequent job: 40 finished runs from 45 days ago, a queued and a running one as old, then 5 recent runs
    old = await runs("test.often", DONE, 45, 30) + await runs("test.often", FAILED, 45, 10)
    stuck = await runs("test.often", QUEUED, 45, 1) + await runs("test.often", RUNNING, 45, 1)
    recent = await runs("test.often", DONE, 1, 5)
    # A rare job: three runs, months old; and a young one
    rare = await runs("test.rare", DONE, 90, 3)
    young = await runs("test.young", DONE, 10, 30)

    done = await maintenance.run_once()

    # The newest 20 of the frequent job stay (5 recent, the 2 unfinished, the 13 newest old ones), and the
    # unfinished ones stay anyway; 27 old finished runs go
    assert done == {"positions": 0, "uploads": 0, "job_runs": 27}
    assert await kept("test.often") == old[27:] + stuck + recent
    assert await kept("test.rare") == rare  # among its latest: kept whatever their age
    assert await kept("test.young") == young  # within the retention period
    assert await maintenance.run_once() == {"positions": 0, "uploads": 0, "job_runs": 0}


async def test_the_retention_period_is_a_setting(app, monkeypatch):
    young = await runs("test.young", DONE, 10, KEEP_PER_JOB + 5)
    settings = replace(get_settings(), job_run_retention_days=7)
    monkeypatch.setattr(maintenance, "get_settings", lambda: settings)

    assert (await maintenance.run_once())["job_runs"] == 5
    assert await kept("test.young") == young[5:]


def test_job_run_retention_defaults_to_thirty_days_and_is_at_least_one():
    base = {"COURTYARD_ENV": "test", "SECRET_KEY": "k" * 40, "FIELD_ENCRYPTION_KEY": "a" * 43 + "=",
            "FIELD_HASH_KEY": "a" * 43 + "="}
    assert load_settings(base).job_run_retention_days == 30
    assert load_settings({**base, "JOB_RUN_RETENTION_DAYS": "90"}).job_run_retention_days == 90
    for bad in ("0", "-3", "a week"):
        with pytest.raises(SettingsError):
            load_settings({**base, "JOB_RUN_RETENTION_DAYS": bad})
