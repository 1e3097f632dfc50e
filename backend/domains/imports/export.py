"""The list download route's glue: which zone an export's times are written in.

Each domain describes its own lists in its `exports.py` (core.exports.register_export: header, list function and
rendering, with the same scope and masking rules as its API), registered through its Domain's parts.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from backend.core.context import Context
from backend.core.exports import DEFAULT_ZONE, Params, export_rows, opt
from backend.core.ids import decode_id
from backend.domains.tenancy.models import Community


async def display_zone(ctx: Context, params: Params) -> ZoneInfo:
    """As the console shows times: the filtered community's zone, else the caller's company's first community's,
    else Asia/Shanghai."""
    qs = None
    community = opt(params, "communityId")
    p = ctx.principal
    if community is not None and p is not None and p.company_id is not None:
        qs = Community.filter(id=decode_id(community, "Community", "communityId"), company_id=p.company_id)
    elif p is not None and p.company_id is not None:
        qs = Community.filter(company_id=p.company_id).order_by("id")
    name = (await qs.first().values_list("timezone", flat=True)) if qs is not None else None
    try:
        return ZoneInfo(str(name or DEFAULT_ZONE))
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo(DEFAULT_ZONE)


async def list_export(ctx: Context, name: str, params: Params) -> tuple[list[str], list[list[Any]], bool]:
    """(header, rows, truncated) of one list as the caller sees it."""
    return await export_rows(ctx, name, params, await display_zone(ctx, params))
