"""The auth domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.auth import loaders, mutations, queries

DOMAIN = Domain(
    name="auth",
    query=queries.AuthQuery,
    mutation=mutations.AuthMutation,
    parts=(loaders, queries),
    models="backend.domains.auth.models",
)
