"""The residents domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.residents import access, exports, loaders, mutations, queries, subscriptions

DOMAIN = Domain(
    name="residents",
    query=queries.ResidentsQuery,
    mutation=mutations.ResidentsMutation,
    subscription=subscriptions.ResidentsSubscription,
    parts=(access, loaders, queries, exports),
    models="backend.domains.residents.models",
)
