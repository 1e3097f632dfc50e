"""Small typed helpers over Tortoise querysets."""

from __future__ import annotations

from typing import Any


async def column(qs: Any, field: str) -> list[Any]:
    """The values of one column of a queryset, in its order (Tortoise's stubs type flat value lists as tuples)."""
    return list(await qs.values_list(field, flat=True))
