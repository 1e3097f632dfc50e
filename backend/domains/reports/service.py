"""Reports: dashboard figures of the caller's communities, each an aggregate query (a constant number of them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Count

from backend.core.errors import Codes, DomainError
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy.models import Building, Community, Unit, UnitType


@dataclass(frozen=True)
class Figures:
    community_count: int
    building_count: int
    unit_count: int
    occupied_unit_count: int
    owner_count: int
    resident_count: int
    pending_binding_count: int
    units_by_type: dict[UnitType, int] = field(default_factory=dict)

    @property
    def occupancy_rate(self) -> float:
        return round(self.occupied_unit_count / self.unit_count, 4) if self.unit_count else 0.0


async def _one(qs: Any, **aggregates: Any) -> dict[str, int]:
    row = (await qs.annotate(**aggregates).values(*aggregates))[0]
    return {k: int(v or 0) for k, v in row.items()}


async def dashboard(*, company_id: int, communities: frozenset[int] | None, community_id: int | None) -> Figures:
    """Counts of a company's (or one community's) structure and residents, within the caller's communities."""
    where: dict[str, Any] = {"company_id": company_id}
    if community_id is not None:
        if communities is not None and community_id not in communities:
            raise DomainError(Codes.FORBIDDEN, "Not your community", "communityId")
        where["community_id"] = community_id
    elif communities is not None:
        where["community_id__in"] = list(communities)
    community_where = {k.replace("community_id", "id"): v for k, v in where.items()}
    community_count = await Community.filter(**community_where).count()
    if community_id is not None and not community_count:
        raise DomainError(Codes.NOT_FOUND, "No such community", "communityId")
    by_type = {UnitType(t): int(n) for t, n in await Unit.filter(**where).annotate(n=Count("id")).group_by("type")
               .values_list("type", "n")}
    approved = UnitBinding.filter(**where, status=BindingStatus.APPROVED)
    live = await _one(approved, occupied=Count("unit_id", distinct=True), residents=Count("user_id", distinct=True))
    owners = await _one(approved.filter(relation=Relation.OWNER), owners=Count("user_id", distinct=True))
    return Figures(
        community_count=community_count,
        building_count=await Building.filter(**where).count(),
        unit_count=sum(by_type.values()),
        occupied_unit_count=live["occupied"],
        owner_count=owners["owners"],
        resident_count=live["residents"],
        pending_binding_count=await UnitBinding.filter(**where, status=BindingStatus.PENDING).count(),
        units_by_type={t: by_type.get(t, 0) for t in UnitType},
    )
