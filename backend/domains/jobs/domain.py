"""The jobs domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.jobs import access, queries, service

DOMAIN = Domain(
    name="jobs",
    query=queries.JobsQuery,
    parts=(access, queries, service),
    models="backend.domains.jobs.models",
)
