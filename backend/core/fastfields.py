"""Direct resolvers for plain fields: graphql-core calls the domain's resolver without Strawberry's per-field wrapper.

Strawberry wraps every field that has a resolver: it builds an `Info`, converts the arguments, runs the field
extensions and awaits the result again, about 10 µs per resolved field. Most of our fields need none of that: they
take `self`, maybe `info`, and scalar arguments (`first`, `after`, `search`), and no field extensions. `direct_fields`
gives graphql-core a resolver for each such field that calls the domain's function as Strawberry would have (same
positional `self`, same keyword names, `info` as Strawberry's Info), so behaviour does not change; fields with input
objects, enums, extensions or root/parent parameters keep Strawberry's resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    default_field_resolver,
    is_leaf_type,
)
from graphql.execution.executor import to_nodes
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

from backend.core import prefetch

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
# Argument types graphql-core already hands over as the Python value the resolver expects.
_PLAIN = (int, str, bool, float)


def _plain_argument(annotation: Any) -> bool:
    while isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation in _PLAIN or getattr(annotation, "__supertype__", None) is str  # strawberry.ID is NewType(str)


def _direct(field: StrawberryField, names: dict[str, str]) -> Callable[..., Any] | None:
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.is_subscription:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    if not all(_plain_argument(a.type) for a in field.arguments):
        return None
    if isinstance(resolver.wrapped_func, (classmethod, staticmethod)):
        return None
    fn: Callable[..., Any] = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    if not names and info_name is None:
        if takes_self:
            return lambda source, _info: fn(source)
        return lambda _source, _info: fn()

    def resolve(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        call = {names[k]: v for k, v in kwargs.items()} if kwargs else {}
        if info_name is not None:
            call[info_name] = Info(_raw_info=info, _field=field)
        return fn(source, **call) if takes_self else fn(**call)

    return resolve


def direct_fields(schema: GraphQLSchema) -> int:
    """Give every plain resolver field of `schema` a direct resolver; returns how many fields changed."""
    changed = 0
    for gql_type in schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        if gql_type is schema.subscription_type:
            continue
        for gql_field in gql_type.fields.values():
            field = (gql_field.extensions or {}).get(BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            names = {}
            for gql_name, arg in gql_field.args.items():
                sarg = (arg.extensions or {}).get(BACKREF)
                if sarg is None:
                    break
                names[gql_name] = sarg.python_name
            else:
                resolve = _direct(field, names)
                if resolve is not None:
                    fn = field.base_resolver.wrapped_func if field.base_resolver else None
                    meta = getattr(fn, "__loaded__", None)
                    if meta is not None:
                        resolve = prefetch.direct_resolver(meta, resolve)
                        gql_field.extensions = {**(gql_field.extensions or {}), prefetch.PREFETCH: meta}
                    elif getattr(fn, "__pure__", False) and not names:
                        setattr(resolve, "pure", fn)  # noqa: B010
                    gql_field.resolve = resolve
                    changed += 1
            if _triggers(schema, gql_type, gql_field) and not getattr(gql_field.resolve, "prefetches", False):
                gql_field.resolve = prefetch.with_prefetch(gql_field.resolve or default_field_resolver)
    return changed


def _triggers(schema: GraphQLSchema, gql_type: GraphQLObjectType, gql_field: Any) -> bool:
    """Whether resolving this field starts a look-ahead (core.prefetch): root fields and lists or connections
    that are not themselves loaded by a parent's look-ahead."""
    if prefetch.PREFETCH in (gql_field.extensions or {}) or getattr(gql_field.resolve, "pure", None):
        return False
    if getattr(gql_field.resolve, "_is_default", False):
        return False
    named, is_list = prefetch._named(gql_field.type)
    if not isinstance(named, GraphQLObjectType):
        return False
    if gql_type in (schema.query_type, schema.mutation_type):
        return True
    return is_list or bool(gql_field.args)


class LeafFastExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with a short path for scalar and enum fields without arguments (most fields of a
    list page): a plain attribute is read directly, without building a resolve info, and a resolver's value is
    serialised without the general completion. Anything else (objects, lists, awaitables, nulls, errors, arguments,
    introspection) takes graphql-core's own path, and errors are reported exactly as it reports them."""

    def execute_field(self, parent_type: Any, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        node = field_details_list[0].node
        field_def = parent_type.fields.get(node.name.value)
        leaf = _leaf(field_def) if field_def is not None and not node.arguments else None
        middleware = self.middleware_manager
        if leaf is None or (middleware is not None and middleware._middleware_resolvers is not None):
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        named, attribute = leaf
        try:
            if attribute is not None:
                result = getattr(source, attribute)
                info = None
            else:
                info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
                result = field_def.resolve(source, info)
            if result is None or isinstance(result, Exception) or self.is_awaitable(result):
                if info is None:
                    info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
                if self.is_awaitable(result):
                    return self.complete_awaitable_value(field_def.type, field_details_list, info, path, result,
                                                         position_context)
                return self.complete_value(field_def.type, field_details_list, info, path, result, position_context)
            return self.complete_leaf_value(named, result)
        except Exception as raw_error:  # noqa: BLE001 - reported as graphql-core reports a field's error
            self.handle_field_error(raw_error, field_def.type, field_details_list, path)
            return None


def _leaf(field_def: Any) -> tuple[Any, str | None] | None:
    """(leaf type, attribute to read or None to call the resolver) for a scalar or enum field without arguments;
    None for any other field. Worked out once per field."""
    try:
        return cast(tuple[Any, str | None] | None, field_def._courtyard_leaf)
    except AttributeError:
        pass
    out: tuple[Any, str | None] | None = None
    named = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    if is_leaf_type(named) and not field_def.args and field_def.resolve is not None:
        attribute = None
        if getattr(field_def.resolve, "_is_default", False):
            field = (field_def.extensions or {}).get(BACKREF)
            if isinstance(field, StrawberryField) and field.base_resolver is None and not field.extensions:
                attribute = field.python_name
        out = (named, attribute)
    field_def._courtyard_leaf = out
    return out
