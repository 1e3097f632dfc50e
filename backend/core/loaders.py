"""Batch functions shared by the domains' loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import TypeVar

from tortoise.models import Model

from backend.core.context import Context
from backend.core.orm import rows_in

M = TypeVar("M", bound=Model)
T = TypeVar("T")
_id = attrgetter("id")  # every model's primary key is `id` (Model itself declares no such attribute)


def by_pk(model: type[M]) -> Callable[[Context, list[int]], Awaitable[list[M | None]]]:
    """Rows of `model` by primary key, in key order (None for a missing key), in one statement built once."""

    async def batch(ctx: Context, keys: list[int]) -> list[M | None]:
        rows = {_id(r): r for r in await rows_in(model, "id", list(dict.fromkeys(keys)), order_by=None)}
        return [rows.get(k) for k in keys]

    return batch


def referenced(row: T | None) -> T:
    """A row loaded by a foreign key's value (by_pk): the constraint keeps it there, so None is a broken database."""
    if row is None:
        raise LookupError("a row that a foreign key points at is missing")
    return row
