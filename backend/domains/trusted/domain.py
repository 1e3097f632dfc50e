"""The trusted domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.trusted import access, mutations, queries

DOMAIN = Domain(
    name="trusted",
    query=queries.TrustedQuery,
    mutation=mutations.TrustedMutation,
    parts=(access, queries),
    models="backend.domains.trusted.models",
)
