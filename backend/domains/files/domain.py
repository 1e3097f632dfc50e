"""The files domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.files import access, http, loaders, mutations, queries

DOMAIN = Domain(
    name="files",
    mutation=mutations.FilesMutation,
    parts=(access, loaders, queries),
    routes=http.routes,
    models="backend.domains.files.models",
)
