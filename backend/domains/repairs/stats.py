"""Technician workload now and performance per month, as grouped aggregates (a fixed number of statements)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import SupportsInt
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from backend.core.errors import Codes, DomainError
from backend.domains.repairs.dispatch import open_counts, technician_ids
from backend.domains.repairs.models import Ticket, TicketStatus
from backend.domains.tenancy.models import Community

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Workload:
    staff_id: int
    assigned: int
    in_progress: int


@dataclass(frozen=True)
class MonthStats:
    staff_id: int
    completed: int
    rated: int
    avg_speed: float | None
    avg_quality: float | None
    avg_attitude: float | None
    avg_completion_minutes: float | None
    sla_hit_rate: float | None


async def workload(*, company_id: int, community_id: int) -> list[Workload]:
    """Every technician of the community with their assigned and in-progress counts."""
    ids = await technician_ids(company_id=company_id, community_id=community_id)
    counts = await open_counts(ids)
    return [Workload(staff_id=s, assigned=counts[s][TicketStatus.ASSIGNED], in_progress=counts[s][TicketStatus.IN_PROGRESS])
            for s in ids]


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in a time zone, e.g. "2026-11"."""
    m = MONTH.match(month or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise DomainError(Codes.INVALID, "A month looks like 2026-11", "month")
    year, mon = int(m.group(1)), int(m.group(2))
    zone = ZoneInfo(tz)
    start = datetime(year, mon, 1, tzinfo=zone)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=zone)
    # In UTC: SQLite compares stored timestamps as text, so the offsets must match.
    return start.astimezone(UTC), end.astimezone(UTC)


async def monthly(*, company_id: int, communities: frozenset[int] | None, community_id: int | None,
                  month: str) -> list[MonthStats]:
    """Per technician: tickets completed in the month, average ratings, completion time and SLA hit rate."""
    tz = DEFAULT_TZ
    qs = Ticket.filter(company_id=company_id, technician_id__not_isnull=True)
    if community_id is not None:
        row = await Community.filter(id=community_id, company_id=company_id).values("timezone")
        if not row or (communities is not None and community_id not in communities):
            raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
        tz = row[0]["timezone"] or DEFAULT_TZ
        qs = qs.filter(community_id=community_id)
    elif communities is not None:
        qs = qs.filter(community_id__in=list(communities))
    start, end = month_bounds(month, tz)
    # Sums and counts, averaged here: Tortoise casts Avg of an integer column back to an integer.
    rated = Q(rated_at__not_isnull=True)
    rows = await qs.filter(completed_at__gte=start, completed_at__lt=end).group_by("technician_id").annotate(
        completed=Count("id"), rated=Count("id", _filter=rated), met=Count("id", _filter=Q(sla_met=True)),
        timed=Count("id", _filter=Q(completion_minutes__not_isnull=True)), speed=Sum("rating_speed", _filter=rated),
        quality=Sum("rating_quality", _filter=rated), attitude=Sum("rating_attitude", _filter=rated),
        minutes=Sum("completion_minutes"),
    ).values("technician_id", "completed", "rated", "met", "timed", "speed", "quality", "attitude", "minutes")

    def avg(total: SupportsInt | None, n: int) -> float | None:
        return round(int(total) / n, 2) if n and total is not None else None

    return [
        MonthStats(staff_id=r["technician_id"], completed=r["completed"], rated=r["rated"],
                   avg_speed=avg(r["speed"], r["rated"]), avg_quality=avg(r["quality"], r["rated"]),
                   avg_attitude=avg(r["attitude"], r["rated"]), avg_completion_minutes=avg(r["minutes"], r["timed"]),
                   sla_hit_rate=round(r["met"] / r["completed"], 4) if r["completed"] else None)
        for r in sorted(rows, key=lambda r: r["technician_id"])
    ]
