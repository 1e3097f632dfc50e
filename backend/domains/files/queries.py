"""Stored files by ID: their uploader, or staff of the company they belong to."""

from __future__ import annotations

from backend.core.context import Context
from backend.core.gql import register_node
from backend.domains.files import service
from backend.domains.files.models import Upload
from backend.domains.files.types import StoredFile


async def _files(ctx: Context, pks: list[int]) -> list[object]:
    p = ctx.principal
    if p is None:
        return [None] * len(pks)
    rows = {u.id: u for u in await Upload.filter(id__in=pks)}
    out: list[object] = []
    for pk in pks:
        u = rows.get(pk)
        ok = u is not None and service.visible(u, user_id=p.user_id, company_id=p.company_id)
        out.append(StoredFile.from_model(u) if ok and u is not None else None)
    return out


register_node(StoredFile, _files)
