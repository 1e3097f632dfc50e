"""The tenancy domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.tenancy import access, exports, loaders, mutations, queries

DOMAIN = Domain(
    name="tenancy",
    query=queries.TenancyQuery,
    mutation=mutations.TenancyMutation,
    parts=(access, loaders, queries, exports),
    models="backend.domains.tenancy.models",
)
