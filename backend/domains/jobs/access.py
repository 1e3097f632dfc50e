"""Who may see job runs: platform administrators only (runs are the platform's, not any company's)."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.permissions import require_platform_admin
from backend.domains.jobs.models import JobRun


def job_runs(ctx: Context) -> Any:
    """Every job run, for platform administrators; FORBIDDEN (UNAUTHENTICATED without a token) for anyone else."""
    require_platform_admin(ctx)
    return JobRun.all()
