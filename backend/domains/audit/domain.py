"""The audit domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.audit import access, exports, loaders, queries

DOMAIN = Domain(
    name="audit",
    query=queries.AuditQuery,
    parts=(access, loaders, queries, exports),
    models="backend.domains.audit.models",
)
