"""The accounts domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.accounts import access, exports, loaders, mutations, queries

DOMAIN = Domain(
    name="accounts",
    query=queries.AccountsQuery,
    mutation=mutations.AccountsMutation,
    parts=(access, loaders, queries, exports),
    models="backend.domains.accounts.models",
)
