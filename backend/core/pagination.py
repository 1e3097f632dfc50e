"""Relay connections over Tortoise querysets: keyset cursors on the primary key, at most 100 a page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from backend.core.errors import Codes, DomainError
from backend.core.prefetch import pure

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; pass as `after`.")


@strawberry.type(description="An item of a list with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque position of this item.")


@strawberry.type(description="A page of a list.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    _count_qs: strawberry.Private[Any]

    @strawberry.field(description="The items of this page.")
    @pure
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]

    @strawberry.field(description="How many items match the filters, over all pages.")
    async def total_count(self) -> int:
        return int(await self._count_qs.count())


def _cursor(pk: int) -> str:
    return base64.b64encode(f"c:{pk}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError(Codes.INVALID, "Malformed cursor", "after") from None
    # ASCII digits that fit a BIGINT: a longer pk reaches the database and fails there as an internal error.
    if not raw.startswith("c:") or not (raw[2:].isascii() and raw[2:].isdigit()) or len(raw) > 20:
        raise DomainError(Codes.INVALID, "Malformed cursor", "after")
    return int(raw[2:])


def check_first(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise DomainError(Codes.INVALID, f"first must be between 0 and {MAX_PAGE}", "first")
    return size


async def paginate(
    qs: Any,
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], Any],
    descending: bool = False,
) -> Connection[Any]:
    """One page of `qs` ordered by id (newest first when descending); totalCount is counted on demand."""
    size = check_first(first)
    page_qs = qs.order_by("-id" if descending else "id")
    if after:
        pk = _decode_cursor(after)
        page_qs = page_qs.filter(id__lt=pk) if descending else page_qs.filter(id__gt=pk)
    rows = list(await page_qs.limit(size + 1)) if size else []
    return build_connection(rows, size=size, after=after, to_node=to_node, counter=qs)


def build_connection(
    rows: list[Any], *, size: int, after: str | None, to_node: Callable[[Any], Any], counter: Any
) -> Connection[Any]:
    """A connection from up to size+1 rows already in order; `counter.count()` gives totalCount."""
    has_next = len(rows) > size
    edges = [Edge(node=to_node(r), cursor=_cursor(r.id)) for r in rows[:size]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count_qs=counter,
    )


class LoadedCount:
    """totalCount through a per-request loader, so nested connections count in one batched query."""

    def __init__(self, loader: Any, key: Any) -> None:
        self._loader, self._key = loader, key

    async def count(self) -> int:
        return int(await self._loader.load(self._key))


def page_key(first: int | None, after: str | None) -> tuple[int, int | None]:
    """(page size, pk after which to start) for loader keys of nested connections."""
    return check_first(first), _decode_cursor(after) if after else None
