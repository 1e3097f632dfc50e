"""Import jobs by ID: company-scoped, seen by their creator or by staff holding the kind's permission company-wide."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.gql import register_node
from backend.core.permissions import has_perm, require_user
from backend.domains.imports import models, service
from backend.domains.imports.types import ImportJob


def kind_scopes(ctx: Context) -> dict[models.ImportKind, Any]:
    """Kind -> community scope (None: all) for every import kind the caller holds the permission of."""
    p = ctx.principal
    if p is None or p.company_id is None:
        return {}
    return {kind: p.grants[perm] for kind, perm in service.PERMS.items() if has_perm(ctx, perm)}


async def job_for(ctx: Context, job_pk: int) -> models.ImportJob:
    """The caller's job, or NOT_FOUND (FORBIDDEN for callers who hold no import permission at all)."""
    require_user(ctx)
    scopes = kind_scopes(ctx)
    if not scopes:
        raise DomainError(Codes.FORBIDDEN, "Staff with import permissions only")
    p = ctx.principal
    assert p is not None and p.company_id is not None
    return await service.get_job(job_id=job_pk, company_id=p.company_id, user_id=p.user_id, perm_scope=scopes)


async def _jobs(ctx: Context, pks: list[int]) -> list[object]:
    scopes = kind_scopes(ctx)
    p = ctx.principal
    if not scopes or p is None:
        return [None] * len(pks)
    rows = {r.id: r for r in await models.ImportJob.filter(id__in=pks, company_id=p.company_id)
            .only(*service.LIGHT_FIELDS)}
    out: list[object] = []
    for k in pks:
        r = rows.get(k)
        ok = r is not None and r.kind in scopes and service.visible(r, user_id=p.user_id, communities=scopes[r.kind])
        out.append(ImportJob.from_model(r) if ok and r is not None else None)
    return out


register_node(ImportJob, _jobs)
