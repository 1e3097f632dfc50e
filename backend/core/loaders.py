"""Batch functions shared by the domains' loaders."""

from __future__ import annotations

from typing import Any

from backend.core.context import BatchFn, Context
from backend.core.orm import rows_in


def by_pk(model: Any) -> BatchFn:
    """Rows of `model` by primary key, in key order (None for a missing key), in one statement built once."""

    async def batch(ctx: Context, keys: list[Any]) -> list[Any]:
        rows = {r.id: r for r in await rows_in(model, "id", list(dict.fromkeys(keys)), order_by=None)}
        return [rows.get(k) for k in keys]

    return batch
