"""Thin resolvers for reports."""

from __future__ import annotations

import strawberry

from backend.core.gql import Info
from backend.core.ids import decode_id
from backend.core.permissions import Perm, community_scope, has_perm
from backend.domains.reports import service
from backend.domains.reports.types import Dashboard


@strawberry.type
class ReportsQuery:
    @strawberry.field(description="Headline figures of the caller's communities, or of one (community.read).")
    async def dashboard(self, info: Info, community_id: strawberry.ID | None = None) -> Dashboard:
        company_id, scope = community_scope(info.context, Perm.COMMUNITY_READ)
        pk = decode_id(community_id, "Community", "communityId") if community_id is not None else None
        figures = await service.dashboard(company_id=company_id, communities=scope, community_id=pk)
        return Dashboard.from_figures(
            figures, owners=has_perm(info.context, Perm.OWNER_READ, pk),
            bindings=has_perm(info.context, Perm.BINDING_REVIEW, pk),
        )
