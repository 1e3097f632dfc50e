"""Cron schedules in each community's time zone: a job declared with `each=community_zones` runs at the cron's
wall-clock time in every community, with that community's id, and follows communities as they come, go or move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.core import jobs
from backend.core.jobs import JobRunner, Scheduler, next_fire
from backend.domains.jobs.models import JobRun
from backend.domains.jobs.service import community_zones
from backend.domains.tenancy.models import Community
from tests.factories import make_company, make_platform_admin, token_for
from tests.support.jobs import settled

NIGHTLY = "test.nightly"


async def _started(runners: list[JobRunner]) -> JobRunner:
    runner = JobRunner()
    await runner.start(work=True, schedule=False)
    runners.append(runner)
    return runner


@pytest.fixture
async def nightly(registry: dict[str, jobs.JobSpec]) -> list[int]:
    """A job at 02:00 in each community's zone; it records the community ids it ran for."""
    ran: list[int] = []

    async def run(community_id: int) -> None:
        ran.append(community_id)

    jobs.job(NIGHTLY, schedule="0 2 * * *", each=community_zones)(run)
    return ran


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


async def test_a_nightly_job_runs_at_two_in_the_morning_in_each_communitys_zone(app, nightly, runners):
    company = await make_company()
    shanghai = await Community.create(company=company, name="Pudong", timezone="Asia/Shanghai")  # UTC+8
    london = await Community.create(company=company, name="Camden", timezone="Europe/London")  # UTC+0 in winter
    sh, ld = f"{NIGHTLY}:{shanghai.id}", f"{NIGHTLY}:{london.id}"
    scheduler = Scheduler(await _started(runners))

    # Seen at noon UTC on 1 December: 02:00 on the 2nd is 18:00 UTC on the 1st in Shanghai, 02:00 UTC in London
    await scheduler.tick(at(2026, 12, 1, 12))
    assert scheduler.due == {sh: at(2026, 12, 1, 18), ld: at(2026, 12, 2, 2)}

    # Shanghai's night comes first: its run alone, with its community's id
    await scheduler.tick(at(2026, 12, 1, 17, 59))
    assert not await JobRun.exists()
    await scheduler.tick(at(2026, 12, 1, 18))
    run = await settled(f"{sh}@2026-12-01T18:00:00Z")
    assert (run.name, run.arg, run.scheduled_for) == (NIGHTLY, shanghai.id, at(2026, 12, 1, 18))
    assert nightly == [shanghai.id]
    assert scheduler.due == {sh: at(2026, 12, 2, 18), ld: at(2026, 12, 2, 2)}

    # London's eight hours later
    await scheduler.tick(at(2026, 12, 2, 1, 59))
    assert nightly == [shanghai.id]
    await scheduler.tick(at(2026, 12, 2, 2))
    run = await settled(f"{ld}@2026-12-02T02:00:00Z")
    assert (run.arg, run.scheduled_for) == (london.id, at(2026, 12, 2, 2))
    assert nightly == [shanghai.id, london.id]

    # Another process's scheduler seeing the same occurrences claims none of them again
    other = Scheduler(await _started(runners))
    await other.tick(at(2026, 12, 1, 17, 59))
    await other.tick(at(2026, 12, 2, 2))
    assert await JobRun.filter(name=NIGHTLY).count() == 2 and nightly == [shanghai.id, london.id]


async def test_the_local_time_follows_daylight_saving_in_each_zone(app, nightly, runners):
    company = await make_company()
    shanghai = await Community.create(company=company, name="Pudong", timezone="Asia/Shanghai")
    london = await Community.create(company=company, name="Camden", timezone="Europe/London")
    scheduler = Scheduler(await _started(runners))

    # In July London is on summer time (UTC+1): 02:00 there is 01:00 UTC; Shanghai has no DST
    await scheduler.tick(at(2026, 7, 1, 12))
    assert scheduler.due == {f"{NIGHTLY}:{shanghai.id}": at(2026, 7, 1, 18),
                             f"{NIGHTLY}:{london.id}": at(2026, 7, 2, 1)}
    # The night the clocks go back (25 October 2026) repeats 01:00-02:00 in London: a 01:30 job runs once
    first = next_fire("30 1 * * *", at(2026, 10, 24, 12), "Europe/London")
    assert first == at(2026, 10, 25, 0, 30)  # 01:30 BST
    assert next_fire("30 1 * * *", first, "Europe/London") == at(2026, 10, 26, 1, 30)  # not 01:30 GMT the same night
    # while an hourly job runs in both passes of the repeated hour
    assert next_fire("30 * * * *", first, "Europe/London") == at(2026, 10, 25, 1, 30)


async def test_communities_added_moved_or_removed_are_picked_up_when_targets_are_read_again(app, nightly, runners):
    company = await make_company()
    london = await Community.create(company=company, name="Camden", timezone="Europe/London")
    scheduler = Scheduler(await _started(runners))
    now = at(2026, 12, 1, 12)
    await scheduler.tick(now)
    assert scheduler.due == {f"{NIGHTLY}:{london.id}": at(2026, 12, 2, 2)}

    # London moves to New York's zone, a community in Shanghai is added, and one with an unknown zone
    await Community.filter(id=london.id).update(timezone="America/New_York")
    shanghai = await Community.create(company=company, name="Pudong", timezone="Asia/Shanghai")
    odd = await Community.create(company=company, name="Nowhere", timezone="Mars/Olympus")
    await scheduler.tick(now + jobs.TARGETS_EVERY / 2)
    assert set(scheduler.due) == {f"{NIGHTLY}:{london.id}"}  # read again only every TARGETS_EVERY
    await scheduler.tick(now + jobs.TARGETS_EVERY)
    assert scheduler.due == {
        f"{NIGHTLY}:{london.id}": at(2026, 12, 2, 7),  # 02:00 EST
        f"{NIGHTLY}:{shanghai.id}": at(2026, 12, 1, 18),
        f"{NIGHTLY}:{odd.id}": at(2026, 12, 1, 18),  # the job's own zone (Asia/Shanghai) for an unknown one
    }

    # A community that is gone is no longer scheduled
    await Community.filter(id=odd.id).delete()
    await scheduler.tick(now + jobs.TARGETS_EVERY * 2)
    assert set(scheduler.due) == {f"{NIGHTLY}:{london.id}", f"{NIGHTLY}:{shanghai.id}"}


async def test_a_job_per_community_is_enqueued_on_demand_for_one_community(app, nightly, runners):
    company = await make_company()
    london = await Community.create(company=company, name="Camden", timezone="Europe/London")
    runner = await _started(runners)

    with pytest.raises(ValueError):
        await runner.enqueue(NIGHTLY)  # which community?
    assert await runner.enqueue(NIGHTLY, arg=london.id)

    row = await JobRun.get(name=NIGHTLY)
    assert row.occurrence_key.startswith(f"{NIGHTLY}:{london.id}#")
    await settled(row.occurrence_key)
    assert nightly == [london.id]


async def test_platform_admins_see_a_per_community_schedule(api, nightly):
    token = await token_for(await make_platform_admin())
    data = await api.gql("{ jobs { name schedule } }", token=token)
    assert {"name": NIGHTLY, "schedule": "0 2 * * * per community, in its time zone"} in data["jobs"]
