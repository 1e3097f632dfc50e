"""Small typed helpers over Tortoise: flat value lists, and statements built once for the reads on every request.

Tortoise builds each statement anew through pypika, about 0.3 ms before a row is read: more than the query itself
costs on PostgreSQL. The reads that run on every request (the caller's principal, rows by key for the loaders) are
written here once per shape, as parameterised SQL with `?` placeholders and double-quoted identifiers, translated
once per dialect ($n for PostgreSQL, %s and backticks for MySQL), and their rows hydrated by Tortoise itself
(`Model._init_from_db`), so values come back exactly as a queryset would give them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

M = TypeVar("M", bound=Model)
_PLACEHOLDER = re.compile(r"\?")
_translated: dict[tuple[str, str], str] = {}
_shapes: dict[tuple[Any, ...], str] = {}


async def column(qs: Any, field: str) -> list[Any]:
    """The values of one column of a queryset, in its order (Tortoise's stubs type flat value lists as tuples)."""
    return list(await qs.values_list(field, flat=True))


def dialect_sql(template: str, dialect: str) -> str:
    """`template` (`?` placeholders, "quoted" identifiers, no literals) in the dialect's own syntax."""
    key = (template, dialect)
    sql = _translated.get(key)
    if sql is None:
        if dialect == "postgres":
            counter = iter(range(1, template.count("?") + 1))
            sql = _PLACEHOLDER.sub(lambda _: f"${next(counter)}", template)
        elif dialect == "mysql":
            sql = template.replace("?", "%s").replace('"', "`")
        else:
            sql = template
        _translated[key] = sql
    return sql


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


async def fetch(conn: BaseDBAsyncClient, template: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of a statement written once (see dialect_sql), as dicts, on `conn` (a model's `_meta.db`)."""
    return list(await conn.execute_query_dict(dialect_sql(template, conn.capabilities.dialect), list(values)))


def _select(model: type[Model]) -> str:
    meta = model._meta
    cols = ", ".join(f'"{c}"' for c in meta.fields_db_projection.values())
    return f'SELECT {cols} FROM "{meta.db_table}"'


async def rows_in(model: type[M], column_name: str, keys: Sequence[Any], *, where: dict[str, Any] | None = None,
                  order_by: str | None = "id") -> list[M]:
    """Model rows whose `column_name` is one of `keys` (and whose `where` fields equal the values given), ordered by
    `order_by` (a field name, ascending), as Tortoise models: `Model.filter(col__in=keys, **where)` in one statement
    built once per shape."""
    if not keys:
        return []
    meta = model._meta
    fields = tuple(sorted(where or ()))
    shape = (model, column_name, len(keys), fields, order_by)
    template = _shapes.get(shape)
    if template is None:
        projection = meta.fields_db_projection
        clauses = [f'"{projection[column_name]}" IN ({placeholders(len(keys))})']
        clauses += [f'"{projection[f]}" = ?' for f in fields]
        template = f"{_select(model)} WHERE {' AND '.join(clauses)}"
        if order_by:
            template += f' ORDER BY "{projection[order_by]}"'
        _shapes[shape] = template
    key_field = meta.fields_map[column_name]
    values = [key_field.to_db_value(k, model) for k in keys]
    values += [meta.fields_map[f].to_db_value((where or {})[f], model) for f in fields]
    conn = meta.db
    _, rows = await conn.execute_query(dialect_sql(template, conn.capabilities.dialect), values)
    return [model._init_from_db(**row) for row in rows]
