"""The repairs domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.repairs import access, exports, loaders, mutations, queries, subscriptions

DOMAIN = Domain(
    name="repairs",
    query=queries.RepairsQuery,
    mutation=mutations.RepairsMutation,
    subscription=subscriptions.RepairsSubscription,
    parts=(access, loaders, queries, exports),
    models="backend.domains.repairs.models",
)
