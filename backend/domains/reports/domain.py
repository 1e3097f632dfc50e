"""The reports domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.reports import queries

DOMAIN = Domain(
    name="reports",
    query=queries.ReportsQuery,
    parts=(),
)
