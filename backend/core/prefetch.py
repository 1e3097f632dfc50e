"""Batched look-ahead for loader fields, so a list's rows resolve synchronously.

A field whose value comes from a DataLoader (a unit's residents, a binding's person, a person's phone level) is
declared with `@loaded(loader, key)` over a plain function of (object, loaded value). Resolved one object at a time
it behaves as before: load, then build. But when a list is resolved, `prefetch` first walks the query's selection
under it and, level by level, loads every such field for all the rows at once (one batch per loader) and decides
the rows' visibility (core.access) in the same round. graphql-core then finds every value already loaded: the
resolvers answer synchronously, with no coroutine, future or visibility await per row. A page of 20 units with
their residents and people costs three awaits instead of one per field and row.

Nothing here decides what a caller sees: the loaders and the visibility rules are the same ones the per-object path
uses; the look-ahead only calls them earlier and in bulk. A load or rule that fails leaves its failure in the loader,
where the field's own resolution meets it as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

from backend.core import access
from backend.core.batch import MISSING
from backend.core.context import Context, LoaderKey

R = TypeVar("R")
PREFETCH = "courtyard.loaded"


@dataclass(frozen=True)
class Loaded:
    loader: str
    key: Callable[[Any], Any]
    build: Callable[[Any, Any], Any]
    visible: bool


def loaded(loader: LoaderKey[Any, Any] | str, key: Callable[[Any], Any], *, visible: bool = False
           ) -> Callable[[Callable[[Any, Any], R]], Callable[..., Awaitable[R]]]:
    """A field resolver from `build(self, value)`, where value is `ctx.loaders[loader].load(key(self))` (None, with
    nothing loaded, when the key is None); with `visible`, the built object (or None) is kept only if the caller may
    see it (core.access.visible_one). `loader` is a LoaderKey (or a registered loader's name)."""
    name = loader if isinstance(loader, str) else loader.name

    def wrap(build: Callable[[Any, Any], R]) -> Callable[..., Awaitable[R]]:
        async def resolver(self: Any, info: Info) -> Any:
            ctx: Context = info.context
            k = key(self)
            out = build(self, None if k is None else await ctx.loaders[name].load(k))
            return await access.visible_one(ctx, out) if visible else out

        resolver.__name__ = build.__name__
        resolver.__qualname__ = build.__qualname__
        resolver.__module__ = build.__module__
        resolver.__doc__ = build.__doc__
        resolver.__annotations__ = {"info": Info, "return": build.__annotations__["return"]}
        setattr(resolver, "__loaded__", Loaded(name, key, build, visible))  # noqa: B010 - read by core.fastfields
        return resolver

    return wrap


_MISS = object()


def _peek(ctx: Context, meta: Loaded, source: Any) -> Any:
    """The field's value if its load is done (raising a failed load's error), else _MISS."""
    k = meta.key(source)
    value = None if k is None else ctx.loaders[meta.loader].peek(k)
    if value is MISSING:
        return _MISS
    out = meta.build(source, value)
    if meta.visible and out is not None:
        seen = ctx.loaders.visibility.get((access.type_name(type(out)), out._pk))
        if seen is None:
            return _MISS
        return out if seen else None
    return out


def direct_resolver(meta: Loaded, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """graphql-core resolver of a @loaded field: synchronous when the value is already loaded (and its visibility
    decided), else `fallback` (the async resolver)."""

    def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
        value = _peek(info.context, meta, source)
        return fallback(source, info) if value is _MISS else value

    return resolve


def pure(fn: Callable[..., R]) -> Callable[..., R]:
    """Mark a resolver of (self) alone as synchronous, cheap and without effects: `prefetch` may call it to see
    the objects beneath (a connection's `nodes`)."""
    setattr(fn, "__pure__", True)  # noqa: B010 - read by core.fastfields
    return fn


def _named(t: Any) -> tuple[Any, bool]:
    """(named type, whether a list is in between)."""
    is_list = False
    while isinstance(t, (GraphQLNonNull, GraphQLList)):
        is_list = is_list or isinstance(t, GraphQLList)
        t = t.of_type
    return t, is_list


def _fields(gql_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode | None],
            fragments: dict[str, Any], seen: set[str] | None = None) -> dict[str, list[FieldNode]]:
    """Selected field name -> its nodes, through fragments that apply to `gql_type` (directives ignored: a skipped
    field loads early for nothing, which is harmless)."""
    out: dict[str, list[FieldNode]] = {}
    seen = set() if seen is None else seen
    for selection_set in selection_sets:
        if selection_set is None:
            continue
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.setdefault(sel.name.value, []).append(sel)
                continue
            if isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in seen or name not in fragments:
                    continue
                seen.add(name)
                frag = fragments[name]
                cond, sub = frag.type_condition, frag.selection_set
            elif isinstance(sel, InlineFragmentNode):
                cond, sub = sel.type_condition, sel.selection_set
            else:
                continue
            if cond is not None and cond.name.value != gql_type.name:
                continue
            for name, nodes in _fields(gql_type, [sub], fragments, seen).items():
                out.setdefault(name, []).extend(nodes)
    return out


async def _walk(ctx: Context, fragments: dict[str, Any], gql_type: Any, objs: list[Any],
                selection_sets: list[SelectionSetNode | None]) -> None:
    if not objs or not isinstance(gql_type, GraphQLObjectType):
        return
    fields = _fields(gql_type, selection_sets, fragments)
    waits: list[Any] = []
    plans: list[tuple[Any, list[FieldNode], Loaded | None, list[Any]]] = []
    for name, nodes in fields.items():
        gql_field = gql_type.fields.get(name)
        if gql_field is None:
            continue
        child_type, _ = _named(gql_field.type)
        meta = (gql_field.extensions or {}).get(PREFETCH)
        if meta is not None:
            loader = ctx.loaders[meta.loader]
            keys = [meta.key(o) for o in objs]
            waits.append(loader.load_all([k for k in keys if k is not None]))
            plans.append((child_type, nodes, meta, [(loader, k) for k in keys]))
        elif isinstance(child_type, GraphQLObjectType):
            # A plain attribute holding objects (a connection's edges, an edge's node), or a pure accessor (a
            # connection's nodes): follow it.
            pure = getattr(gql_field.resolve, "pure", None)
            if pure is not None:
                values = [pure(o) for o in objs]
            elif gql_field.resolve is None or getattr(gql_field.resolve, "_is_default", False):
                values = [getattr(o, _python_name(gql_field, name), None) for o in objs]
            else:
                continue
            plans.append((child_type, nodes, None, values))
    if any(i.name == "Node" for i in gql_type.interfaces):
        waits.append(access.decide(ctx, objs))
    if len(waits) == 1:
        await _quietly(waits[0])
    elif waits:
        await asyncio.gather(*map(_quietly, waits))
    next_level: list[Awaitable[None]] = []
    for child_type, nodes, meta, values in plans:
        if not isinstance(child_type, GraphQLObjectType):
            continue
        children: list[Any] = []
        for o, v in zip(objs, values, strict=True):
            if meta is not None:
                loader, key = v
                try:
                    v = None if key is None else loader.peek(key)
                except Exception:  # noqa: BLE001 - a failed load is the field's to report
                    continue
                if v is MISSING:
                    continue
                v = meta.build(o, v)
            if isinstance(v, list):
                children += [c for c in v if c is not None]
            elif v is not None:
                children.append(v)
        if children:
            next_level.append(_walk(ctx, fragments, child_type, children, [n.selection_set for n in nodes]))
    if next_level:
        await asyncio.gather(*next_level)


def _python_name(gql_field: Any, name: str) -> str:
    field = (gql_field.extensions or {}).get("strawberry-definition")
    return getattr(field, "python_name", name)


async def _quietly(aw: Awaitable[Any]) -> None:
    try:
        await aw
    except Exception:  # noqa: BLE001, S110 - the rule's failure stays cached for the field to meet
        pass


async def prefetch(info: GraphQLResolveInfo, value: Any) -> None:
    """Load, for `value` (the result of the field `info` resolves) and everything selected beneath it, what the
    @loaded fields and the visibility checks will ask for, one batch per loader and level."""
    gql_type, _ = _named(info.return_type)
    objs = value if isinstance(value, list) else [value]
    objs = [o for o in objs if o is not None and not isinstance(o, BaseException)]
    await _walk(info.context, info.fragments, gql_type, objs, [n.selection_set for n in info.field_nodes])


def with_prefetch(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a resolver whose value holds objects: once it is resolved, prefetch beneath it."""

    def wrapped(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        result = resolve(source, info, **kwargs)

        async def then() -> Any:
            value = await result if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future) else result
            if value is not None:
                await prefetch(info, value)
            return value

        return then()

    setattr(wrapped, "prefetches", True)  # noqa: B010 - read by core.fastfields
    return wrapped
