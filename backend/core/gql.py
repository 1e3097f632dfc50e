"""GraphQL plumbing shared by the domains: the Node interface and registry, error types, payloads."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import strawberry
from strawberry.types.base import get_object_definition
from tortoise.transactions import in_transaction

from backend.core import access, events, metrics
from backend.core.context import Context
from backend.core.errors import COMMON_CODES, Codes, DomainError
from backend.core.ids import encode_id
from backend.settings import get_settings

if TYPE_CHECKING:
    from strawberry.types.base import StrawberryObjectDefinition

log = logging.getLogger("courtyard.gql")
# What resolvers take as `info`: its `context` is our Context (no root value is used).
Info = strawberry.Info[Context, None]


@strawberry.interface(description="An object with a globally unique ID, fetchable with `node(id:)`.")
class Node:
    _pk: strawberry.Private[int]
    if TYPE_CHECKING:  # set on every strawberry type (declared for the type checker only)
        __strawberry_definition__: ClassVar[StrawberryObjectDefinition]

    @strawberry.field(description="Global ID of the object.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__strawberry_definition__.name, self._pk))


# type name -> (strawberry class, async fn(ctx, [pk]) -> [object or None] in the caller's scope)
NodeResolver = Callable[[Context, list[int]], Awaitable[list[Any]]]
NODE_TYPES: dict[str, tuple[type, NodeResolver]] = {}


def register_node(cls: type, resolve: NodeResolver) -> None:
    """Make `cls` fetchable through `node(id:)`.

    A type whose domain registered no visibility rule (core.access.rule) gets `resolve` as its rule: an object is
    visible exactly when `node(id:)` would return it. Either way `node` and the rule agree by construction.
    """
    name = get_object_definition(cls, strict=True).name
    NODE_TYPES[name] = (cls, resolve)
    if name not in access.RULES:

        async def by_node(ctx: Context, objs: list[Any]) -> list[bool]:
            pks = [o._pk for o in objs]
            found = {o._pk for o in await resolve(ctx, list(dict.fromkeys(pks))) if o is not None}
            return [pk in found for pk in pks]

        setattr(by_node, "derived", True)  # noqa: B010 - a rule registered later replaces it
        access.RULES[name] = by_node


class PayloadError:
    """What a mutation payload's `errors` hold: `<Domain>Error`, made by `error_type` from a class named after it."""

    field: str | None
    message: str
    code: Enum
    # The `<Domain>ErrorCode` enum: the common codes and those of the domain's errors.py enums.
    codes: ClassVar[type[Enum]]

    def __init__(self, *, field: str | None, message: str, code: Enum) -> None:  # replaced by strawberry's own
        self.field, self.message, self.code = field, message, code


P = TypeVar("P", bound=type[PayloadError])
E = TypeVar("E", bound=PayloadError)


def error_type(domain: str, *codes: type[Enum]) -> Callable[[P], P]:
    """Make the decorated `PayloadError` subclass the GraphQL type `<Domain>Error`, with `<Domain>ErrorCode` (the
    common codes + those of the given errors.py enums) as its `codes`:

        @error_type("Tenancy", TenancyCode)
        class TenancyError(PayloadError):
            pass
    """
    names = list(dict.fromkeys([*COMMON_CODES, *(str(c.value) for enum in codes for c in enum)]))
    code_enum = strawberry.enum(
        cast(type[Enum], Enum(f"{domain}ErrorCode", {n: n for n in names})),
        description=f"Why a {domain.lower()} mutation was refused.",
    )

    def make(cls: P) -> P:
        # Real annotations, not strings: postponed annotations could not name the local enum.
        cls.__annotations__ = {"field": str | None, "message": str, "code": code_enum}
        cls.field = strawberry.field(description="Input field at fault, if one is.")
        cls.message = strawberry.field(description="Human-readable explanation.")
        cls.code = strawberry.field(description="Stable code to branch on.")
        cls.codes = code_enum
        return strawberry.type(cls, name=f"{domain}Error",
                               description=f"A refused {domain.lower()} mutation: where and why.")

    return make


AuditHook = Callable[..., Awaitable[Any]]
_audit_hook: list[AuditHook] = []


def set_audit_hook(hook: AuditHook) -> None:
    _audit_hook[:] = [hook]


def to_error(error_cls: type[E], exc: DomainError) -> E:
    """The payload error for a DomainError. A code the payload's enum lacks is a bug (the mutation's domain must
    list it in its errors.py): outside production it fails loudly, in production it is logged and sent as INVALID."""
    code_enum = error_cls.codes
    try:
        code = code_enum[exc.code]
    except KeyError:
        if get_settings().dev:
            raise RuntimeError(f"error code {exc.code} is not in {code_enum.__name__}: add it to an errors.py enum "
                               "that this domain's error_type() includes") from None
        log.error("error code %s is not in %s", exc.code, code_enum.__name__)
        code = code_enum[Codes.INVALID]
    return error_cls(field=exc.field, message=exc.message, code=code)


async def run_mutation(
    info: Info,
    payload: type,
    errors: type[PayloadError],
    fn: Callable[[], Awaitable[dict[str, Any]]],
    *,
    audit: str | None = None,
    atomic: bool = True,
) -> Any:
    """Run `fn` in one transaction; DomainError becomes payload errors, and staff actions are audited.

    `fn` returns the payload's fields; for audited mutations it may add `_audit` (target, summary).
    `atomic=False` is for sign-in and credential mutations whose service keeps every write atomic by itself
    (conditional updates, its own short transactions): they hash or verify a password (argon2, ~20 ms of CPU), and
    on SQLite an open transaction would hold the one connection, and so every other request, for that long.
    """
    ctx = info.context
    kept: DomainError | None = None
    token = events.begin()
    try:
        async with in_transaction() if atomic else contextlib.nullcontext():
            try:
                result = await fn()
            except DomainError as exc:
                if not exc.keep_writes:
                    raise
                kept = exc  # leave the block normally so the failure's own writes commit
            else:
                audit_info = result.pop("_audit", None)
                if audit and ctx.principal is not None and _audit_hook:
                    await _audit_hook[0](ctx=ctx, action=audit, **(audit_info or {}))
        if kept is not None:
            raise kept
    except DomainError as exc:
        events.discard(token)
        metrics.record_error_code(exc.code)
        return payload(**{f: None for f in _object_fields(payload)}, errors=[to_error(errors, exc)])
    except BaseException:
        events.discard(token)
        raise
    await events.flush(token)
    hooks, ctx.after_commit = ctx.after_commit, []
    for hook in hooks:
        try:
            await hook()
        except Exception:  # noqa: BLE001 - a failed event must not fail a committed mutation
            log.exception("after-commit hook failed")
    return payload(**result, errors=[])


def _object_fields(payload: type) -> list[str]:
    definition = get_object_definition(payload, strict=True)
    return [f.python_name for f in definition.fields if f.python_name != "errors" and f.base_resolver is None]
