"""Object-level visibility: one rule per Node type, applied to every object of that type the schema returns.

Each domain's `access.py` registers the rule of its types with `@rule(TypeCls)`: an async batch function that
answers, for a list of objects of that type, whether the caller may see each. `guard_schema()` installs the rule as
the `is_type_of` check of every GraphQL object type implementing `Node`, so an object reaches a response only after
passing it, whatever path returned it: `node`, a list, a nested field or connection, a mutation payload or a
subscription event. Checks are batched per type and cached for the request (for a socket, per event).

Resolvers that may legitimately meet an object the caller may not see (a pending binding's unit, the actor of an
old audit entry) filter first with `visible_one()` / `only_visible()` and return null or fewer items; an object
that reaches the guard unchecked and fails it becomes a FORBIDDEN error at its path, never data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.types.base import get_object_definition

from backend.core.batch import Loader
from backend.core.context import Context
from backend.core.errors import Codes, DomainError

T = TypeVar("T")
Rule = Callable[[Context, list[Any]], Awaitable[list[bool]]]
RULES: dict[str, Rule] = {}


def type_name(cls: type) -> str:
    definition = get_object_definition(cls, strict=True)
    return definition.name


def rule(cls: type | str) -> Callable[[Rule], Rule]:
    """Register the one visibility rule of a Node type (a batch: objects in, one bool per object out). The type may
    be named, where its class imports the module that holds the rule."""

    def register(fn: Rule) -> Rule:
        name = cls if isinstance(cls, str) else type_name(cls)
        if name in RULES and RULES[name] is not fn and not getattr(RULES[name], "derived", False):
            raise RuntimeError(f"visibility rule of {name} registered twice")
        RULES[name] = fn
        return fn

    return register


def _loader(ctx: Context, name: str) -> Loader[Any, bool]:
    made = ctx.loaders.visibility_loaders.get(name)
    if made is None:
        check = RULES[name]

        async def load(objs: list[Any]) -> list[bool]:
            answers = await check(ctx, objs)
            cache = ctx.loaders.visibility
            for obj, ok in zip(objs, answers, strict=True):
                cache[(name, obj._pk)] = bool(ok)
            return [bool(ok) for ok in answers]

        made = ctx.loaders.visibility_loaders[name] = Loader(load, cache_key_fn=lambda o: o._pk)
    return made


async def visible(ctx: Context, objs: Sequence[T]) -> list[bool]:
    """For each object, whether the caller may see it (by its type's rule; cached for the request)."""
    out: list[bool] = []
    pending: list[tuple[int, Any]] = []
    cache = ctx.loaders.visibility
    for i, obj in enumerate(objs):
        hit = cache.get((type_name(type(obj)), getattr(obj, "_pk")))  # noqa: B009 - any Node type
        out.append(bool(hit))
        if hit is None:
            pending.append((i, obj))
    if pending:
        by_type: dict[str, list[tuple[int, Any]]] = {}
        for i, obj in pending:
            by_type.setdefault(type_name(type(obj)), []).append((i, obj))
        for name, items in by_type.items():
            answers = await _loader(ctx, name).load_many([obj for _, obj in items])
            for (i, _), ok in zip(items, answers, strict=True):
                out[i] = ok
    return out


async def decide(ctx: Context, objs: Sequence[Any]) -> None:
    """Decide (and cache for the request) whether the caller may see each object, one rule call per type, here and
    now: the look-ahead (core.prefetch) calls it for a whole level of a response at once."""
    by_type: dict[str, list[Any]] = {}
    cache = ctx.loaders.visibility
    for obj in objs:
        name = type_name(type(obj))
        if (name, obj._pk) not in cache:
            by_type.setdefault(name, []).append(obj)
    for name, items in by_type.items():
        await _loader(ctx, name).load_all(items)


async def only_visible(ctx: Context, objs: Sequence[T]) -> list[T]:
    """The objects the caller may see, in order."""
    return [o for o, ok in zip(objs, await visible(ctx, objs), strict=True) if ok]


async def visible_one(ctx: Context, obj: T | None) -> T | None:
    """The object if the caller may see it, else None."""
    if obj is None:
        return None
    return obj if (await visible(ctx, [obj]))[0] else None


def _refusal(name: str) -> DomainError:
    return DomainError(Codes.FORBIDDEN, f"This {name} is not visible to you")


def _guard(name: str, original: Callable[[Any, Any], Any] | None) -> Callable[[Any, Any], Any]:
    def is_type_of(obj: Any, info: Any) -> Any:
        if original is not None and not original(obj, info):
            return False
        ctx: Context = info.context
        hit = ctx.loaders.visibility.get((name, obj._pk))
        if hit is True:
            return True
        if hit is False:
            raise _refusal(name)

        async def check() -> bool:
            if not await _loader(ctx, name).load(obj):
                raise _refusal(name)
            return True

        return check()

    return is_type_of


def guard_schema(schema: GraphQLSchema, node_interface: str = "Node") -> None:
    """Make every object type implementing Node check its visibility rule; a Node type without one fails here."""
    missing: list[str] = []
    for gql_type in schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        if not any(i.name == node_interface for i in gql_type.interfaces):
            continue
        if gql_type.name not in RULES:
            missing.append(gql_type.name)
            continue
        gql_type.is_type_of = _guard(gql_type.name, gql_type.is_type_of)
    if missing:
        raise RuntimeError("Node types without a visibility rule (add one to their domain's access.py): "
                           + ", ".join(sorted(missing)))


def nodes_by_pk(model: Any, to_node: Callable[[Any], Any]) -> Callable[[Context, list[int]], Awaitable[list[Any]]]:
    """A `node(id:)` resolver: rows by primary key, each kept only if its type's rule lets the caller see it."""

    async def resolve(ctx: Context, pks: list[int]) -> list[Any]:
        if ctx.principal is None:
            return [None] * len(pks)
        rows = {r.id: r for r in await model.filter(id__in=pks)}
        objs = [to_node(rows[k]) if k in rows else None for k in pks]
        answers = await visible(ctx, [o for o in objs if o is not None])
        seen = iter(answers)
        return [o if o is not None and next(seen) else None for o in objs]

    return resolve
