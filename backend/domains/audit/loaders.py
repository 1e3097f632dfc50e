"""The audit log's loaders (the object each entry acted on) and the mutation audit hook."""

from __future__ import annotations

from typing import Any

from backend.core.context import Context, LoaderKey, loader
from backend.core.errors import DomainError
from backend.core.gql import NODE_TYPES, set_audit_hook
from backend.core.ids import decode_any
from backend.domains.audit.service import record

set_audit_hook(record)


async def targets(ctx: Context, keys: list[str]) -> list[Any]:
    """The objects the entries acted on, by global ID: one `node` lookup per type, in the caller's scope (None for
    an object gone since, or one the caller may not see; its type's rule decides)."""
    decoded: list[tuple[str, int] | None] = []
    by_type: dict[str, list[int]] = {}
    for gid in keys:
        try:
            type_name, pk = decode_any(gid)
        except DomainError:
            decoded.append(None)
            continue
        if type_name not in NODE_TYPES:
            decoded.append(None)
            continue
        decoded.append((type_name, pk))
        by_type.setdefault(type_name, []).append(pk)
    found: dict[tuple[str, int], Any] = {}
    for type_name, pks in by_type.items():
        unique = list(dict.fromkeys(pks))
        _, resolve = NODE_TYPES[type_name]
        for pk, obj in zip(unique, await resolve(ctx, unique), strict=True):
            found[(type_name, pk)] = obj
    return [found.get(k) if k is not None else None for k in decoded]


AUDIT_TARGET: LoaderKey[str, Any] = loader("audit_target", targets)
