"""GraphQL plumbing shared by the domains: the Node interface and registry, error types, payloads."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info
from tortoise.transactions import in_transaction

from backend.core import access, events, metrics
from backend.core.context import Context
from backend.core.errors import COMMON_CODES, Codes, DomainError
from backend.core.ids import encode_id
from backend.settings import get_settings

log = logging.getLogger("courtyard.gql")


@strawberry.interface(description="An object with a globally unique ID, fetchable with `node(id:)`.")
class Node:
    _pk: strawberry.Private[int]

    @strawberry.field(description="Global ID of the object.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__strawberry_definition__.name, self._pk))  # type: ignore[attr-defined]


# type name -> (strawberry class, async fn(ctx, [pk]) -> [object or None] in the caller's scope)
NodeResolver = Callable[[Context, list[int]], Awaitable[list[Any]]]
NODE_TYPES: dict[str, tuple[type, NodeResolver]] = {}


def register_node(cls: type, resolve: NodeResolver) -> None:
    """Make `cls` fetchable through `node(id:)`.

    A type whose domain registered no visibility rule (core.access.rule) gets `resolve` as its rule: an object is
    visible exactly when `node(id:)` would return it. Either way `node` and the rule agree by construction.
    """
    name = cls.__strawberry_definition__.name  # type: ignore[attr-defined]
    NODE_TYPES[name] = (cls, resolve)
    if name not in access.RULES:

        async def by_node(ctx: Context, objs: list[Any]) -> list[bool]:
            pks = [o._pk for o in objs]
            found = {o._pk for o in await resolve(ctx, list(dict.fromkeys(pks))) if o is not None}
            return [pk in found for pk in pks]

        setattr(by_node, "derived", True)  # noqa: B010 - a rule registered later replaces it
        access.RULES[name] = by_node


def error_types(domain: str, *codes: type[Enum]) -> tuple[type[Enum], type]:
    """Build `<Domain>ErrorCode` (the common codes + those of the given errors.py enums) and `<Domain>Error`."""
    names = list(dict.fromkeys([*COMMON_CODES, *(str(c.value) for enum in codes for c in enum)]))
    code_enum = strawberry.enum(
        Enum(f"{domain}ErrorCode", {n: n for n in names}),  # type: ignore[misc, call-overload]
        description=f"Why a {domain.lower()} mutation was refused.",
    )

    # Built with explicit annotations: postponed (string) annotations cannot name a local enum.
    namespace = {
        "__annotations__": {"field": str | None, "message": str, "code": code_enum},
        "field": strawberry.field(description="Input field at fault, if one is."),
        "message": strawberry.field(description="Human-readable explanation."),
        "code": strawberry.field(description="Stable code to branch on."),
    }
    _Error = strawberry.type(
        type(f"{domain}Error", (), namespace), description=f"A refused {domain.lower()} mutation: where and why."
    )
    return code_enum, _Error


AuditHook = Callable[..., Awaitable[Any]]
_audit_hook: list[AuditHook] = []


def set_audit_hook(hook: AuditHook) -> None:
    _audit_hook[:] = [hook]


def to_error(error_cls: type, code_enum: type[Enum], exc: DomainError) -> Any:
    """The payload error for a DomainError. A code the payload's enum lacks is a bug (the mutation's domain must
    list it in its errors.py): outside production it fails loudly, in production it is logged and sent as INVALID."""
    try:
        code = code_enum[exc.code]
    except KeyError:
        if get_settings().dev:
            raise RuntimeError(f"error code {exc.code} is not in {code_enum.__name__}: add it to an errors.py enum "
                               "that this domain's error_types() includes") from None
        log.error("error code %s is not in %s", exc.code, code_enum.__name__)
        code = code_enum[Codes.INVALID]
    return error_cls(field=exc.field, message=exc.message, code=code)


async def run_mutation(
    info: Info,
    payload: type,
    errors: tuple[type[Enum], type],
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
    code_enum, error_cls = errors
    ctx: Context = info.context
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
                kept = None  # type: ignore[assignment]
                audit_info = result.pop("_audit", None)
                if audit and ctx.principal is not None and _audit_hook:
                    await _audit_hook[0](ctx=ctx, action=audit, **(audit_info or {}))
        if kept is not None:
            raise kept
    except DomainError as exc:
        events.discard(token)
        metrics.record_error_code(exc.code)
        return payload(**{f: None for f in _object_fields(payload)}, errors=[to_error(error_cls, code_enum, exc)])
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
    definition = payload.__strawberry_definition__  # type: ignore[attr-defined]
    return [f.python_name for f in definition.fields if f.python_name != "errors" and f.base_resolver is None]
