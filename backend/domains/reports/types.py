"""GraphQL types of reports."""

from __future__ import annotations

import strawberry

from backend.domains.reports.service import Figures
from backend.domains.tenancy.types import UnitType


@strawberry.type(description="How many units there are of one type.")
class UnitTypeCount:
    type: UnitType = strawberry.field(description="The unit type.")
    count: int = strawberry.field(description="Units of this type.")


@strawberry.type(description="Headline figures of the caller's communities (or of one of them).")
class Dashboard:
    community_count: int = strawberry.field(description="Communities.")
    building_count: int = strawberry.field(description="Buildings.")
    unit_count: int = strawberry.field(description="Units.")
    occupied_unit_count: int = strawberry.field(description="Units with at least one approved resident.")
    occupancy_rate: float = strawberry.field(description="Occupied units / units, 0 to 1 (0 without units).")
    owner_count: int | None = strawberry.field(
        description="Distinct people with an approved owner binding; null without owner.read.")
    resident_count: int | None = strawberry.field(
        description="Distinct people with any approved binding; null without owner.read.")
    pending_binding_count: int | None = strawberry.field(
        description="Binding requests waiting for review; null without binding.review.")
    units_by_type: list[UnitTypeCount] = strawberry.field(description="Units per type, every type listed.")

    @classmethod
    def from_figures(cls, f: Figures, *, owners: bool, bindings: bool) -> Dashboard:
        """Figures about people show only to staff who may read owners (or review bindings)."""
        return cls(
            community_count=f.community_count, building_count=f.building_count, unit_count=f.unit_count,
            occupied_unit_count=f.occupied_unit_count, occupancy_rate=f.occupancy_rate,
            owner_count=f.owner_count if owners else None, resident_count=f.resident_count if owners else None,
            pending_binding_count=f.pending_binding_count if bindings else None,
            units_by_type=[UnitTypeCount(type=t, count=n) for t, n in f.units_by_type.items()],
        )
