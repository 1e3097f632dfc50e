"""List exports (.xlsx) for every console list, read through the same scoped list function as its GraphQL list.

Each domain registers its lists in its own `exports.py` with `register_export(name, Export(...))`: the header, how
to call the list function from the download's query parameters, and how to render rows. The list function is
called with `first: 0`: it applies the caller's scope and filters and returns a connection without reading a page;
its queryset is then read here in the list's order, chunk by chunk. Times are written in the zone the console
shows (passed in by the download route), with their UTC offset.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.ids import decode_id
from backend.core.pagination import Connection

MAX_EXPORT = 50_000
CHUNK = 1000
MAX_VALUES = 20
DEFAULT_ZONE = "Asia/Shanghai"
Params = dict[str, str]
# The zone an export's times are written in (set per export by export_rows).
_zone: contextvars.ContextVar[ZoneInfo | None] = contextvars.ContextVar("courtyard_export_zone", default=None)


@dataclass(frozen=True)
class Export:
    header: list[str]
    fetch: Callable[[Context, Params], Awaitable[Connection[Any]]]
    render: Callable[[Context, list[Any]], Awaitable[list[list[Any]]]]
    descending: bool = False


EXPORTS: dict[str, Export] = {}


def register_export(name: str, spec: Export) -> None:
    """Offer a list for download as /api/export/<name>.xlsx (the name is its GraphQL list's)."""
    if name in EXPORTS and EXPORTS[name] is not spec:
        raise RuntimeError(f"export {name} registered twice")
    EXPORTS[name] = spec


async def export_rows(ctx: Context, name: str, params: Params, zone: ZoneInfo) -> tuple[list[str], list[list[Any]],
                                                                                     bool]:
    """(header, rows, truncated) of one list for the caller; the filters are the list's own."""
    spec = EXPORTS.get(name)
    if spec is None:
        raise DomainError(Codes.NOT_FOUND, "No such list", "list")
    conn = await spec.fetch(ctx, params)
    _zone.set(zone)
    out: list[list[Any]] = []
    async for chunk in rows_of(conn, descending=spec.descending, limit=MAX_EXPORT + 1):
        out += await spec.render(ctx, chunk)
    truncated = len(out) > MAX_EXPORT
    return spec.header, out[:MAX_EXPORT], truncated


async def rows_of(conn: Connection[Any], *, descending: bool = False, limit: int = MAX_EXPORT) -> AsyncIterator[list[Any]]:
    """The scoped, filtered rows behind a list, in chunks of CHUNK in the list's order, at most `limit`."""
    qs, last, seen = conn._count_qs, None, 0
    while seen < limit:
        page = qs.order_by("-id" if descending else "id")
        if last is not None:
            page = page.filter(id__lt=last) if descending else page.filter(id__gt=last)
        chunk = list(await page.limit(min(CHUNK, limit - seen)))
        if not chunk:
            return
        seen += len(chunk)
        last = chunk[-1].id
        yield chunk


# ----------------------------------------------------------------------------------------------- rendering


def local_time(value: datetime | None) -> str:
    """Local time in the export's zone, with its UTC offset so a reader never has to guess."""
    if not value:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(_zone.get() or ZoneInfo(DEFAULT_ZONE))
    return local.isoformat(sep=" ", timespec="seconds")  # 2026-11-22 13:38:00+08:00


def label(value: Any, zh: dict[str, str]) -> str:
    """A value with its Chinese label first: "已通过 approved"."""
    v = getattr(value, "value", value)
    return f"{zh.get(v, v)} {v}"


def yes_no(value: bool) -> str:
    return "是 yes" if value else "否 no"


async def names(model: Any, ids: set[int], field: str = "name") -> dict[int, str]:
    """id -> name of the given rows, in one query."""
    return dict(await model.filter(id__in=list(ids)).values_list("id", field)) if ids else {}


# ------------------------------------------------------------------------------------------ query parameters


def opt(params: Params, name: str) -> str | None:
    value = params.get(name)
    return value if value not in (None, "") else None


def gid(params: Params, name: str) -> strawberry.ID | None:
    """A global ID passed on to a GraphQL filter input, which decodes it itself."""
    value = opt(params, name)
    return strawberry.ID(value) if value is not None else None


def pk(params: Params, name: str, type_name: str) -> int | None:
    value = opt(params, name)
    return decode_id(value, type_name, name) if value is not None else None


def integer(params: Params, name: str) -> int | None:
    value = opt(params, name)
    if value is None:
        return None
    if not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()) or len(value) > 6:
        raise DomainError(Codes.INVALID, "Not a whole number", name)
    return int(value)


def boolean(params: Params, name: str) -> bool | None:
    value = opt(params, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false", "1", "0"):
        raise DomainError(Codes.INVALID, "true or false", name)
    return value.lower() in ("true", "1")


def _member(value: str, name: str, enum: Any) -> Any:
    for member in enum:
        if value in (member.name, member.value):
            return member
    raise DomainError(Codes.INVALID, "Unknown value", name)


def enum_value(params: Params, name: str, enum: Any) -> Any:
    """An enum by its GraphQL name (RESIDENTIAL) or value (residential)."""
    value = opt(params, name)
    return None if value is None else _member(value, name, enum)


def enum_values(params: Params, name: str, enum: Any) -> list[Any] | None:
    """A comma-separated list of enum names or values, e.g. status=SUBMITTED,ACCEPTED."""
    value = opt(params, name)
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) > MAX_VALUES:
        raise DomainError(Codes.TOO_LONG, "Too many values", name)
    return [_member(p, name, enum) for p in parts] or None


def moment(params: Params, name: str) -> datetime | None:
    value = opt(params, name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(Codes.INVALID, "Not an ISO date-time", name) from None
