"""The imports domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.imports import http, mutations, queries, subscriptions

DOMAIN = Domain(
    name="imports",
    mutation=mutations.ImportsMutation,
    subscription=subscriptions.ImportsSubscription,
    parts=(queries,),
    routes=http.routes,
    models="backend.domains.imports.models",
)
