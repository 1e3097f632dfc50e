"""Who may see and change third-party trusted documents: platform administrators only."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.permissions import require_platform_admin
from backend.domains.trusted.models import TrustedDocument


def documents_of(ctx: Context, app: str | None) -> Any:
    """Standing documents (of one app, or of all), for platform administrators; FORBIDDEN (UNAUTHENTICATED) for
    anyone else."""
    require_platform_admin(ctx)
    qs = TrustedDocument.filter(withdrawn_at=None)
    return qs if app is None else qs.filter(app=app)
